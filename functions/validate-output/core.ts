import { isValidCas } from '../shared/cas';
import { LabelFields } from '../shared/contract';
import { MalformedModelOutputError, NoLabelFoundError } from '../shared/errors';

/**
 * Check what the reader produced against the data contract. Absent values may come as null or "" from a
 * model; those mean "not printed" and are dropped. Everything else must match exactly: no silent coercion,
 * because a value the model got wrong in form is sent back to it with the errors as feedback.
 */
export function validateOutput(extraction: { candidate?: unknown; noLabelFound?: boolean }): { fields: LabelFields } {
  const candidate = extraction.candidate;
  if (candidate === null || typeof candidate !== 'object' || Array.isArray(candidate)) {
    throw new MalformedModelOutputError('The output must be a JSON object with the label fields.', ['output is not an object']);
  }
  const cleaned = Object.fromEntries(
    Object.entries(candidate as Record<string, unknown>).filter(
      ([, v]) => v !== null && v !== undefined && !(typeof v === 'string' && v.trim() === ''),
    ),
  );
  if (extraction.noLabelFound && Object.keys(cleaned).length === 0) {
    throw new NoLabelFoundError('No reagent label was found in this photo. Please photograph the label itself, in focus and well lit.');
  }
  const parsed = LabelFields.safeParse(cleaned);
  const issues = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  if (parsed.success && parsed.data.casNumber && !isValidCas(parsed.data.casNumber)) {
    issues.push(`casNumber: ${parsed.data.casNumber} fails the CAS check digit; re-read the digits`);
  }
  if (!parsed.success || issues.length) {
    throw new MalformedModelOutputError(`The extracted fields do not match the data contract: ${issues.join('; ')}`, issues);
  }
  return { fields: parsed.data };
}
