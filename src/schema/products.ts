// Products of exhibitors, and their admin mutations.
import * as products from '../services/products.js';
import { builder, typedErrors } from './builder.js';
import { idsAndInput } from './common.js';

export const Product = builder.prismaNode('Product', {
  description: 'A product an exhibitor offers.',
  id: { field: 'id' },
  // Select mode: a query reads only the columns its fields ask for (each field names what it needs).
  select: { id: true },
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The product name.' }),
    category: t.exposeString('category', {
      nullable: true,
      description: 'The product category, when known.',
    }),
    tkdn: t.float({
      description: 'Tingkat Komponen Dalam Negeri: the domestic component level, percent 0-100 (2 decimals).',
      select: { tkdn: true },
      resolve: (product) => product.tkdn.toNumber(),
    }),
    halal: t.exposeBoolean('halal', { description: 'Whether it is halal-certified.' }),
    ekatalogListed: t.exposeBoolean('ekatalogListed', {
      description: "Whether it is listed in LKPP's e-katalog.",
    }),
    exhibitor: t.relation('exhibitor', { description: 'Who offers it.' }),
  }),
});

const CreateProductInput = builder.inputType('CreateProductInput', {
  description: 'A new product of an exhibitor.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'The product name (at most 200 characters).' }),
    category: t.string({ description: 'The category.' }),
    tkdn: t.float({ required: true, description: 'TKDN, percent 0-100 with at most 2 decimals.' }),
    halal: t.boolean({ description: 'Halal-certified (default false).' }),
    ekatalogListed: t.boolean({ description: 'Listed in e-katalog (default false).' }),
  }),
});

const UpdateProductInput = builder.inputType('UpdateProductInput', {
  description: 'Changes to a product; fields left out keep their value.',
  fields: (t) => ({
    name: t.string({ description: 'A new name.' }),
    category: t.string({ description: 'A new category; null clears it.' }),
    tkdn: t.float({ description: 'A new TKDN, percent 0-100 with at most 2 decimals.' }),
    halal: t.boolean({ description: 'Halal-certified.' }),
    ekatalogListed: t.boolean({ description: 'Listed in e-katalog.' }),
  }),
});

builder.mutationField('createProduct', (t) =>
  t.field({
    type: Product,
    description: 'Adds a product to an exhibitor (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The created product.'),
    args: {
      exhibitorId: t.arg.id({ required: true, description: 'The exhibitor.' }),
      input: t.arg({ type: CreateProductInput, required: true, description: 'The product.' }),
    },
    resolve: (_root, { exhibitorId, input }) =>
      products.createProduct(
        idsAndInput({ exhibitorId: ['Exhibitor', exhibitorId] }, products.createProductInput, input)
          .exhibitorId,
        input,
      ),
  }),
);

builder.mutationField('updateProduct', (t) =>
  t.field({
    type: Product,
    description: 'Changes a product (admins only).',
    authScopes: { admin: true },
    errors: typedErrors('The updated product.'),
    args: {
      id: t.arg.id({ required: true, description: 'The product.' }),
      input: t.arg({ type: UpdateProductInput, required: true, description: 'The changes.' }),
    },
    resolve: (_root, { id, input }) =>
      products.updateProduct(
        idsAndInput({ id: ['Product', id] }, products.updateProductInput, input).id,
        input,
      ),
  }),
);
