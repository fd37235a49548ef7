import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

/** The text of every page of a PDF and the first page's size in points, as pdf.js reads them. */
export async function pdfText(
  bytes: Uint8Array,
): Promise<{ text: string; pages: number; size: [number, number] }> {
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    useSystemFonts: false,
    isEvalSupported: false,
  }).promise;
  let text = '';
  for (let i = 1; i <= doc.numPages; i++) {
    const page = await doc.getPage(i);
    const content = await page.getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str : '')).join('');
  }
  const first = await doc.getPage(1);
  const [, , w, h] = first.view;
  await doc.destroy();
  return { text, pages: doc.numPages, size: [w ?? 0, h ?? 0] };
}
