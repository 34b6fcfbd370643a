// The KPI and export queues' job handlers (the worker maps `kpi/recompute` and `export/csv` to
// them): the incremental recompute ingest hands off to, and the CSV of an export recorded by
// requestExport.
import { FinalJobError, type Handler } from '../../jobs/handler.js';
import type { JobData } from '../../jobs/queues.js';
import { AppError } from '../../lib/errors.js';
import { failExport, runExport } from './exports.js';
import { recomputeKpis } from './recompute.js';

export const recomputeJob: Handler<JobData<'kpi', 'recompute'>> = ({ data }) =>
  recomputeKpis({
    reason: data.reason,
    ...(data.runIds ? { runIds: data.runIds } : {}),
    ...(data.full !== undefined ? { full: data.full } : {}),
  });

export const exportJob: Handler<JobData<'export', 'csv'>> = async (job) => {
  try {
    return await runExport(job.data.exportId);
  } catch (err) {
    const hopeless = err instanceof AppError && ['BAD_USER_INPUT', 'NOT_FOUND'].includes(err.code);
    // No export is left RUNNING: the last attempt (or an unrecoverable error) records why.
    if (hopeless || job.finalAttempt) {
      await failExport(job.data.exportId, (err as Error).message).catch(() => undefined);
    }
    throw hopeless ? new FinalJobError((err as Error).message) : err;
  }
};
