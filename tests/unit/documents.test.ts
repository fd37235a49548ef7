import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  attachmentKinds,
  type DocumentContentType,
  documentContentTypes,
  documentFileNames,
  extensionOf,
  isAttachmentKind,
  isDocumentContentType,
  MAX_DOCUMENT_BYTES,
  requiredAttachmentKinds,
  sniffContentType,
  verifyDocument,
} from '../../shared/domain/documents.ts';

const jpegHead = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const pngHead = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
const pdfHead = new TextEncoder().encode('%PDF-1.4\n%âãÏÓ');
const textHead = new TextEncoder().encode('hello, world');
const heads: Record<DocumentContentType, Uint8Array> = {
  'image/jpeg': jpegHead,
  'image/png': pngHead,
  'application/pdf': pdfHead,
};

describe('R11 document kinds and types', () => {
  it('requires the five R11 attachments', () => {
    expect([...attachmentKinds]).toEqual([
      'application_form',
      'chsi_report',
      'id_card_front',
      'id_card_back',
      'payout_proof',
    ]);
    expect(requiredAttachmentKinds).toEqual(attachmentKinds);
    expect(isAttachmentKind('chsi_report')).toBe(true);
    expect(isAttachmentKind('selfie')).toBe(false);
  });

  it('accepts JPEG, PNG and PDF only, up to 10 MB', () => {
    expect([...documentContentTypes]).toEqual(['image/jpeg', 'image/png', 'application/pdf']);
    expect(isDocumentContentType('image/png')).toBe(true);
    expect(isDocumentContentType('image/gif')).toBe(false);
    expect(MAX_DOCUMENT_BYTES).toBe(10_485_760);
    expect(documentContentTypes.map(extensionOf)).toEqual(['jpg', 'png', 'pdf']);
  });
});

describe('sniffContentType', () => {
  it('recognises the magic bytes', () => {
    expect(sniffContentType(jpegHead)).toBe('image/jpeg');
    expect(sniffContentType(pngHead)).toBe('image/png');
    expect(sniffContentType(pdfHead)).toBe('application/pdf');
  });

  it('recognises nothing else', () => {
    expect(sniffContentType(textHead)).toBeUndefined();
    expect(sniffContentType(new Uint8Array(0))).toBeUndefined();
    expect(sniffContentType(Uint8Array.from([0xff, 0xd8]))).toBeUndefined();
    expect(sniffContentType(pngHead.subarray(0, 7))).toBeUndefined();
    expect(sniffContentType(new TextEncoder().encode('%PDF'))).toBeUndefined();
    expect(sniffContentType(new TextEncoder().encode('GIF89a'))).toBeUndefined();
  });
});

describe('verifyDocument', () => {
  it('passes a document whose bytes match its declared type', () => {
    for (const type of documentContentTypes) {
      expect(verifyDocument(type, { sizeBytes: 2048, head: heads[type] })).toEqual({
        ok: true,
        sizeBytes: 2048,
        contentType: type,
      });
    }
  });

  it('fails missing, empty and oversize objects', () => {
    expect(verifyDocument('image/jpeg', undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyDocument('image/jpeg', { sizeBytes: 0, head: new Uint8Array(0) })).toEqual({
      ok: false,
      reason: 'empty',
      sizeBytes: 0,
    });
    expect(verifyDocument('image/jpeg', { sizeBytes: MAX_DOCUMENT_BYTES, head: jpegHead }).ok).toBe(true);
    expect(verifyDocument('image/jpeg', { sizeBytes: MAX_DOCUMENT_BYTES + 1, head: jpegHead })).toEqual({
      ok: false,
      reason: 'too_large',
      sizeBytes: MAX_DOCUMENT_BYTES + 1,
    });
    expect(verifyDocument('image/png', { sizeBytes: 101, head: pngHead }, 100)).toMatchObject({
      ok: false,
      reason: 'too_large',
    });
  });

  it('fails a file whose bytes are another type or no known type', () => {
    expect(verifyDocument('image/jpeg', { sizeBytes: 300, head: pdfHead })).toEqual({
      ok: false,
      reason: 'type_mismatch',
      sizeBytes: 300,
    });
    expect(verifyDocument('application/pdf', { sizeBytes: 300, head: pngHead })).toMatchObject({
      reason: 'type_mismatch',
    });
    expect(verifyDocument('image/jpeg', { sizeBytes: 12, head: textHead })).toEqual({
      ok: false,
      reason: 'unknown_type',
      sizeBytes: 12,
    });
  });

  it('passes exactly when the sniffed type equals the declared one and the size is in range', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...documentContentTypes),
        fc.constantFrom(...documentContentTypes, undefined),
        fc.integer({ min: -1, max: MAX_DOCUMENT_BYTES + 2 }),
        fc.uint8Array({ maxLength: 8 }),
        (declared, actualType, sizeBytes, tail) => {
          const prefix = actualType ? heads[actualType] : textHead;
          const head = Uint8Array.from([...prefix, ...tail]);
          const result = verifyDocument(declared, { sizeBytes, head });
          const shouldPass = sizeBytes >= 1 && sizeBytes <= MAX_DOCUMENT_BYTES && actualType === declared;
          expect(result.ok).toBe(shouldPass);
        },
      ),
    );
  });
});

describe('documentFileNames', () => {
  it('names a download by the kind and the server’s id, in ASCII and in the notice’s words (R11)', () => {
    expect(documentFileNames('id_card_front', 'ab12', 'image/jpeg')).toEqual({
      ascii: 'id_card_front-ab12.jpg',
      display: '身份证正面-ab12.jpg',
    });
    expect(attachmentKinds.map((kind) => documentFileNames(kind, 'x', 'application/pdf').display)).toEqual([
      '申请表-x.pdf',
      '学籍在线验证报告-x.pdf',
      '身份证正面-x.pdf',
      '身份证反面-x.pdf',
      '收款账户证明-x.pdf',
    ]);
  });

  it('keeps the ASCII name to letters, digits, _ and -, and an unknown kind as it is', () => {
    expect(documentFileNames('other kind', 'a/b"c', 'image/png')).toEqual({
      ascii: 'other_kind-a_b_c.png',
      display: 'other kind-a/b"c.png',
    });
  });
});
