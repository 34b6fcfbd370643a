// GET /kpi/exports/<id>: the CSV of a finished KPI export. The id (128 random bits, given only
// to the analyst who started it) is what grants access, so the link can be opened in a browser.
import type { FastifyInstance } from 'fastify';
import { exportFile } from '../services/kpi/exports.js';

export async function kpiExportRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { id: string } }>('/kpi/exports/:id', async (request, reply) => {
    const id = request.params.id;
    const file = /^[A-Za-z0-9_-]{10,64}$/.test(id) ? await exportFile(id) : null;
    if (!file) return reply.code(404).send({ error: 'no finished export with this id' });
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('cache-control', 'private, max-age=3600')
      .send(file.content);
  });
}
