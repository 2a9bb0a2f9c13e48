import type { Catalog } from '../shared/catalog';
import type { LabelFields, LabelReader, OcrLine, ReaderResult, ReadLabelInput } from '../shared/contract';
import { extractFields } from './offline/extract';

export interface OfflineReaderOptions {
  /**
   * Engine used when the input has no OCR lines (OCR disabled or failed upstream). `false` reads nothing in
   * that case. Defaults to the shared local tesseract worker, loaded lazily.
   */
  ocr?: { recognize(image: Buffer): Promise<OcrLine[]> } | false;
  /** The clock (a date still to come is no manufacturing date); tests fix it. */
  now?: () => Date;
}

/**
 * The `offline` LabelReader: OCR text + label-keyword rules + the reagent catalog, no model service. Every
 * field it returns was printed on the label and the catalog only confirms or repairs what OCR read — except the
 * fields listed in `proposed`: the catalog's CAS or Korean name of the product the label names, when OCR read none.
 */
export function createOfflineReader(catalog: Catalog, opts: OfflineReaderOptions = {}): LabelReader {
  const engine = async (): Promise<{ recognize(image: Buffer): Promise<OcrLine[]> } | undefined> => {
    if (opts.ocr === false) return undefined;
    if (opts.ocr) return opts.ocr;
    // Loaded lazily so the reader (and its tests) don't pull in the OCR engines when lines are given.
    const { LocalOcr } = await import('../ocr-hints/local-ocr');
    return LocalOcr.shared();
  };
  return {
    name: 'offline',
    async read(input: ReadLabelInput): Promise<ReaderResult> {
      let lines = input.ocrLines;
      if (lines.length === 0 && input.image.length > 0) {
        const ocr = await engine();
        if (ocr) lines = await ocr.recognize(input.image);
      }
      const { fields, noLabelFound } = extractFields(lines, catalog, opts.now?.() ?? new Date());
      const candidate: Partial<LabelFields> = {};
      const selfConfidence: Record<string, number> = {};
      const evidence: Record<string, string> = {};
      const proposed: string[] = [];
      for (const [key, found] of Object.entries(fields)) {
        if (!found) continue;
        (candidate as Record<string, unknown>)[key] = found.value;
        selfConfidence[key] = found.confidence;
        evidence[key] = found.evidence;
        if (found.proposed) proposed.push(key);
      }
      return {
        reader: 'offline',
        candidate,
        selfConfidence,
        evidence,
        ...(proposed.length ? { proposed } : {}),
        ...(noLabelFound ? { noLabelFound: true } : {}),
      };
    },
  };
}
