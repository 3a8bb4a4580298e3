/** The kinds of product. The products table's check constraint (products_type_known) lists the same; the registry (product-types.ts) defines each. */
export const PRODUCT_TYPES = ['course', 'learning_path'] as const
export type ProductType = (typeof PRODUCT_TYPES)[number]
