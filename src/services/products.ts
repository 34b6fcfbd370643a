// Products of exhibitors, with their TKDN (domestic component level, percent 0-100).
import { prisma } from '../lib/db.js';
import { NotFoundError } from '../lib/errors.js';
import { optionalText, parseInput, percent, text, z } from './validation.js';

export const createProductInput = z.object({
  name: text(200),
  category: optionalText(100),
  tkdn: percent,
  halal: z.boolean().nullish(),
  ekatalogListed: z.boolean().nullish(),
});
export type CreateProductInput = z.input<typeof createProductInput>;

export const updateProductInput = z.object({
  name: text(200).nullish(),
  category: optionalText(100),
  tkdn: percent.nullish(),
  halal: z.boolean().nullish(),
  ekatalogListed: z.boolean().nullish(),
});
export type UpdateProductInput = z.input<typeof updateProductInput>;

export async function createProduct(exhibitorId: number, raw: CreateProductInput) {
  const input = parseInput(createProductInput, raw);
  if (!(await prisma.exhibitor.findUnique({ where: { id: exhibitorId }, select: { id: true } }))) {
    throw new NotFoundError('Exhibitor', exhibitorId);
  }
  return prisma.product.create({
    data: {
      exhibitorId,
      name: input.name,
      category: input.category,
      tkdn: input.tkdn.toFixed(2),
      halal: input.halal ?? false,
      ekatalogListed: input.ekatalogListed ?? false,
    },
  });
}

export async function updateProduct(id: number, raw: UpdateProductInput) {
  const input = parseInput(updateProductInput, raw);
  if (!(await prisma.product.findUnique({ where: { id }, select: { id: true } }))) {
    throw new NotFoundError('Product', id);
  }
  return prisma.product.update({
    where: { id },
    data: {
      ...(input.name ? { name: input.name } : {}),
      ...(raw.category !== undefined ? { category: input.category } : {}),
      ...(input.tkdn != null ? { tkdn: input.tkdn.toFixed(2) } : {}),
      ...(input.halal != null ? { halal: input.halal } : {}),
      ...(input.ekatalogListed != null ? { ekatalogListed: input.ekatalogListed } : {}),
    },
  });
}
