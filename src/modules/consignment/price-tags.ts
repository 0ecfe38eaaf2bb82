import bwipjs from 'bwip-js';
import PDFDocument from 'pdfkit';

export interface PriceTag {
  sku: string;
  title: string;
  priceMinor: number;
  currency: string;
  consignorName: string;
}

/** A hang tag of 2.25 × 1.25 inches (a common thermal label), one per page, so a label printer cuts each. */
const SIZE: [number, number] = [162, 90];
const MARGIN = 6;

const priceText = (minor: number, currency: string) => {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
};

/** The SKU as a Code 128 barcode (PNG), the scanners' common denominator. */
const barcodeOf = (sku: string) => bwipjs.toBuffer({ bcid: 'code128', text: sku, scale: 2, height: 9, includetext: true, textsize: 8 });

/** The printable tags of items: title, price, consignor and the SKU's barcode on each page of one PDF. */
export async function priceTagsPdf(storeName: string, tags: readonly PriceTag[]): Promise<Buffer> {
  const barcodes = await Promise.all(tags.map((tag) => barcodeOf(tag.sku)));
  const document = new PDFDocument({ size: SIZE, margin: MARGIN, autoFirstPage: false, info: { Title: `${storeName} price tags`, Producer: 'Village Storefront' } });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  const width = SIZE[0] - 2 * MARGIN;
  tags.forEach((tag, index) => {
    document.addPage();
    document.font('Helvetica').fontSize(6).fillColor('#444444').text(storeName, MARGIN, MARGIN, { width, lineBreak: false, ellipsis: true });
    document.font('Helvetica-Bold').fontSize(14).fillColor('#000000').text(priceText(tag.priceMinor, tag.currency), MARGIN, MARGIN + 8, { width, align: 'right', lineBreak: false });
    document.font('Helvetica').fontSize(7).text(tag.title, MARGIN, MARGIN + 8, { width: width - 60, height: 18, ellipsis: true });
    document.fontSize(5).fillColor('#444444').text(`Consignor: ${tag.consignorName}`, MARGIN, MARGIN + 28, { width, lineBreak: false, ellipsis: true });
    document.image(barcodes[index]!, MARGIN, MARGIN + 36, { fit: [width, SIZE[1] - MARGIN * 2 - 36], align: 'center' });
  });
  document.end();
  return done;
}
