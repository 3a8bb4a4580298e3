/**
 * The printable certificate. pdf-lib and its fonts hold about 20 MB once loaded, so the layout
 * (certificate-pdf-layout.ts) loads at the first certificate rendered, not at every start.
 */
export interface CertificatePdfInput {
  recipientName: string
  courseTitle: string
  issuerName: string
  issuedAt: Date
  verificationUrl: string
}

export async function renderCertificatePdf(input: CertificatePdfInput): Promise<Uint8Array> {
  const { layoutCertificatePdf } = await import('./certificate-pdf-layout.ts')
  return layoutCertificatePdf(input)
}
