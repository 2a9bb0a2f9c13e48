import { validateOutput } from '../../functions/validate-output/core';
import { applyCorrections } from '../../functions/complete-review/core';
import { objectCreatedEvent, parseObjectCreated, intakeIdOf } from '../../functions/shared/s3-event';

describe('validateOutput', () => {
  test('drops null and empty values (a model saying "not printed") and keeps the rest', () => {
    const { fields } = validateOutput({ candidate: { productName: 'Acetone', casNumber: '67-64-1', lotNumber: null, grade: '  ' } });
    expect(fields).toEqual({ productName: 'Acetone', casNumber: '67-64-1' });
  });

  test('a CAS that fails its check digit is malformed, with the field named in the feedback', () => {
    expect(() => validateOutput({ candidate: { casNumber: '67-64-2' } })).toThrow(
      expect.objectContaining({ name: 'MalformedModelOutputError', message: expect.stringMatching(/casNumber: 67-64-2 fails the CAS check digit/) }),
    );
  });

  test('unknown keys and wrong types are malformed, not silently coerced', () => {
    expect(() => validateOutput({ candidate: { molecularWeight: '58.44' } })).toThrow(expect.objectContaining({ name: 'MalformedModelOutputError' }));
    expect(() => validateOutput({ candidate: { colour: 'blue' } })).toThrow(expect.objectContaining({ name: 'MalformedModelOutputError' }));
    expect(() => validateOutput({ candidate: { quantity: { value: 500, unit: 'ml' } } })).toThrow(expect.objectContaining({ name: 'MalformedModelOutputError' }));
  });

  test('no object at all is malformed; no label with no fields is NoLabelFoundError', () => {
    expect(() => validateOutput({ candidate: 'I think it says acetone' })).toThrow(expect.objectContaining({ name: 'MalformedModelOutputError' }));
    expect(() => validateOutput({ candidate: {}, noLabelFound: true })).toThrow(expect.objectContaining({ name: 'NoLabelFoundError' }));
  });
});

describe('applyCorrections (review approval)', () => {
  const proposed = { productName: 'Acetone', casNumber: '67-64-1', grade: 'GR' };

  test('a value replaces a field, null or "" removes it', () => {
    expect(applyCorrections(proposed, { grade: null, lotNumber: 'L123', productName: 'Acetone, HPLC' })).toEqual({
      productName: 'Acetone, HPLC',
      casNumber: '67-64-1',
      lotNumber: 'L123',
    });
  });

  test('an invalid correction is refused with the reason, nothing merged', () => {
    expect(() => applyCorrections(proposed, { casNumber: '67-64-2' })).toThrow(/check digit/);
    expect(() => applyCorrections(proposed, { colour: 'blue' })).toThrow(/Unknown field/);
    expect(() => applyCorrections(proposed, { quantity: { value: -1, unit: 'mL' } })).toThrow(/not valid/);
  });
});

describe('S3 events', () => {
  test('keys are URL-encoded in the event as AWS does, and decoded back', () => {
    const key = 'incoming/lab 3/시약 (1)+copy.jpg';
    const event = objectCreatedEvent({ bucket: 'b', key, etag: 'abc', size: 1 });
    expect((event.detail as { object: { key: string } }).object.key).toBe('incoming/lab+3/%EC%8B%9C%EC%95%BD+(1)%2Bcopy.jpg');
    expect(parseObjectCreated(event).key).toBe(key);
  });

  test('the same object version maps to one intake; a malformed event is its own intake and a named error', () => {
    const a = objectCreatedEvent({ bucket: 'b', key: 'incoming/x.jpg', etag: 'e1' });
    const b = { ...objectCreatedEvent({ bucket: 'b', key: 'incoming/x.jpg', etag: 'e1' }), id: 'other-delivery' };
    expect(intakeIdOf(a, 'arn:1')).toBe(intakeIdOf(b, 'arn:2'));
    expect(intakeIdOf({ hello: 1 }, 'arn:1')).not.toBe(intakeIdOf({ hello: 1 }, 'arn:2'));
    expect(() => parseObjectCreated({ hello: 1 })).toThrow(expect.objectContaining({ name: 'InvalidEventError' }));
  });
});
