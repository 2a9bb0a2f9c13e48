import { cases } from './differential-cases';
import { normaliseCauses, runOurs, runPeer } from './peer';

describe('differential: our engine vs aws-local-stepfunctions (JSONPath)', () => {
  it('has at least 20 definitions', () => expect(cases.length).toBeGreaterThanOrEqual(20));

  for (const c of cases) {
    it(c.name, async () => {
      for (const input of c.inputs) {
        const ours = await runOurs(c.definition, input, c.handlers?.() ?? {});
        const theirs = await runPeer(c.definition, input, c.handlers?.() ?? {});
        const shape = (r: typeof ours) => normaliseCauses({ ...r, entered: c.unordered ? [...r.entered].sort() : r.entered });
        expect(shape(ours)).toEqual(shape(theirs));
      }
    });
  }
});
