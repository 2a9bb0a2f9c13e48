/**
 * JSONPath definitions run through both our engine and aws-local-stepfunctions. Task states use Lambda ARNs; the
 * handler for a function is looked up by its name (ours) or by the Task state's name (the peer).
 */
export interface DiffCase {
  name: string;
  definition: any;
  inputs: unknown[];
  /** Fresh handlers per run, keyed by function name. */
  handlers?: () => Record<string, (input: any) => unknown>;
  /** Branching concurrency makes the entered order nondeterministic: compare as a multiset. */
  unordered?: boolean;
}

const fn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const named = (name: string, message: string) => Object.assign(new Error(message), { name });
const failTimes = (n: number, error: string, value: (i: any) => unknown) => () => {
  let calls = 0;
  return { Flaky: (i: any) => { if (calls++ < n) throw named(error, `attempt ${calls}`); return value(i); } };
};

export const cases: DiffCase[] = [
  {
    name: 'pass chain with Result, ResultPath, OutputPath',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Result: { x: 1, y: [1, 2] }, ResultPath: '$.r', Next: 'B' },
        B: { Type: 'Pass', InputPath: '$.r', ResultPath: '$.copy', OutputPath: '$.copy.y', End: true },
      },
    },
    inputs: [{ keep: true }],
  },
  {
    name: 'Parameters with Format/Array/ArrayLength',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Parameters: { 'greeting.$': "States.Format('Hi {}, you are {}', $.name, $.age)", 'arr.$': 'States.Array($.name, $.age, 3)', 'len.$': 'States.ArrayLength($.list)', static: 'x' }, End: true },
      },
    },
    inputs: [{ name: 'Ada', age: 36, list: [1, 2, 3] }],
  },
  {
    name: 'intrinsics: StringToJson, JsonToString, JsonMerge, MathAdd',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Parameters: { 'parsed.$': 'States.StringToJson($.s)', 'str.$': 'States.JsonToString($.o)', 'merged.$': 'States.JsonMerge($.o, $.p, false)', 'sum.$': 'States.MathAdd($.n, 5)' }, End: true },
      },
    },
    inputs: [{ s: '{"a":[1,{"b":2}]}', o: { a: 1, b: 2 }, p: { b: 3, c: 4 }, n: 10 }],
  },
  {
    name: 'intrinsics: ArrayPartition, ArrayContains, ArrayRange, ArrayGetItem, ArrayUnique',
    definition: {
      StartAt: 'A',
      States: {
        A: {
          Type: 'Pass',
          Parameters: {
            'part.$': 'States.ArrayPartition($.list, 2)',
            'has.$': 'States.ArrayContains($.list, 3)',
            'hasnt.$': 'States.ArrayContains($.list, 99)',
            'range.$': 'States.ArrayRange(1, 9, 3)',
            'item.$': 'States.ArrayGetItem($.list, 2)',
            'uniq.$': 'States.ArrayUnique($.dups)',
          },
          End: true,
        },
      },
    },
    inputs: [{ list: [1, 2, 3, 4, 5], dups: [1, 1, 'a', 'a', 2] }],
  },
  {
    name: 'intrinsics: Base64Encode/Decode, Hash, StringSplit',
    definition: {
      StartAt: 'A',
      States: {
        A: { Type: 'Pass', Parameters: { 'b64.$': 'States.Base64Encode($.s)', 'back.$': 'States.Base64Decode(States.Base64Encode($.s))', 'sha.$': "States.Hash($.s, 'SHA-256')", 'md5.$': "States.Hash($.s, 'MD5')", 'split.$': "States.StringSplit($.csv, ',')" }, End: true },
      },
    },
    inputs: [{ s: 'reagent label', csv: 'a,b,c' }],
  },
  {
    name: 'task with ResultSelector and ResultPath',
    definition: {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: fn('Price'), ResultSelector: { 'total.$': '$.total', 'first.$': '$.lines[0]' }, ResultPath: '$.price', End: true } },
    },
    inputs: [{ order: 7 }],
    handlers: () => ({ Price: (i) => ({ total: i.order * 3, lines: ['a', 'b'], noise: true }) }),
  },
  {
    name: 'task with InputPath, Parameters and ResultPath null',
    definition: {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: fn('Echo'), InputPath: '$.inner', Parameters: { 'v.$': '$.v' }, ResultPath: null, Next: 'U' }, U: { Type: 'Task', Resource: fn('Echo'), OutputPath: '$.inner.v', End: true } },
    },
    inputs: [{ inner: { v: 5 }, other: 1 }],
    handlers: () => ({ Echo: (i) => i }),
  },
  {
    name: 'choice on numeric ranges',
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericLessThan: 0, Next: 'Neg' }, { Variable: '$.n', NumericGreaterThanEquals: 100, Next: 'Big' }], Default: 'Mid' },
        Neg: { Type: 'Pass', Result: 'neg', End: true },
        Big: { Type: 'Pass', Result: 'big', End: true },
        Mid: { Type: 'Pass', Result: 'mid', End: true },
      },
    },
    inputs: [{ n: -3 }, { n: 100 }, { n: 50 }],
  },
  {
    name: 'choice with string operators and And/Or/Not',
    definition: {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { And: [{ Variable: '$.kind', StringEquals: 'acid' }, { Not: { Variable: '$.name', StringMatches: '*water*' } }], Next: 'Acid' },
            { Or: [{ Variable: '$.name', StringGreaterThan: 'x' }, { Variable: '$.name', StringLessThanEquals: 'b' }], Next: 'Edge' },
          ],
          Default: 'Other',
        },
        Acid: { Type: 'Pass', Result: 'acid', End: true },
        Edge: { Type: 'Pass', Result: 'edge', End: true },
        Other: { Type: 'Pass', Result: 'other', End: true },
      },
    },
    inputs: [{ kind: 'acid', name: 'HCl' }, { kind: 'acid', name: 'acid water' }, { kind: 'base', name: 'zinc' }, { kind: 'base', name: 'm' }],
  },
  {
    name: 'choice with timestamps and type tests',
    definition: {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.expires', IsPresent: false, Next: 'NoDate' },
            { Not: { Variable: '$.expires', IsTimestamp: true }, Next: 'Bad' },
            { Variable: '$.expires', TimestampLessThan: '2025-01-01T00:00:00Z', Next: 'Expired' },
            { And: [{ Variable: '$.qty', IsNumeric: true }, { Variable: '$.qty', NumericGreaterThan: 0 }], Next: 'Stocked' },
          ],
          Default: 'Empty',
        },
        NoDate: { Type: 'Pass', Result: 'nodate', End: true },
        Bad: { Type: 'Pass', Result: 'bad', End: true },
        Expired: { Type: 'Pass', Result: 'expired', End: true },
        Stocked: { Type: 'Pass', Result: 'stocked', End: true },
        Empty: { Type: 'Pass', Result: 'empty', End: true },
      },
    },
    // (no input without `expires`: the peer wrongly fails IsPresent:false on a missing path, AWS does not)
    inputs: [{ expires: 'soon', qty: 1 }, { expires: '2024-06-01T00:00:00Z', qty: 1 }, { expires: '2026-06-01T00:00:00Z', qty: 3 }, { expires: '2026-06-01T00:00:00Z', qty: 'x' }],
  },
  {
    name: 'choice with Path comparisons, IsNull, IsBoolean',
    definition: {
      StartAt: 'C',
      States: {
        C: {
          Type: 'Choice',
          Choices: [
            { Variable: '$.note', IsNull: true, Next: 'Null' },
            { Variable: '$.flag', IsBoolean: true, Next: 'Flag' },
            { Variable: '$.a', NumericEqualsPath: '$.b', Next: 'Same' },
            { Variable: '$.s', StringEqualsPath: '$.t', Next: 'Same' },
          ],
          Default: 'Diff',
        },
        Null: { Type: 'Pass', Result: 'null', End: true },
        Flag: { Type: 'Pass', Result: 'flag', End: true },
        Same: { Type: 'Pass', Result: 'same', End: true },
        Diff: { Type: 'Pass', Result: 'diff', End: true },
      },
    },
    inputs: [{ note: null }, { note: 1, flag: false }, { note: 1, flag: 'no', a: 2, b: 2 }, { note: 1, flag: 'no', a: 1, b: 2, s: 'q', t: 'q' }, { note: 1, flag: 0, a: 1, b: 2, s: 'q', t: 'r' }],
  },
  {
    name: 'retry then succeed',
    definition: {
      StartAt: 'T',
      States: { T: { Type: 'Task', Resource: fn('Flaky'), Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1, MaxAttempts: 3 }], End: true } },
    },
    inputs: [{ v: 1 }],
    handlers: failTimes(2, 'Transient', (i) => ({ ok: i.v })),
  },
  {
    name: 'retry exhausted then catch with ResultPath',
    definition: {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: fn('Flaky'), Retry: [{ ErrorEquals: ['Transient'], IntervalSeconds: 1, MaxAttempts: 2 }], Catch: [{ ErrorEquals: ['Transient'], ResultPath: '$.err', Next: 'Recover' }], End: true },
        Recover: { Type: 'Pass', End: true },
      },
    },
    inputs: [{ v: 1 }],
    handlers: failTimes(10, 'Transient', () => 'never'),
  },
  {
    name: 'catch States.ALL routes to a Fail state',
    definition: {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: fn('Flaky'), Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Give up' }], End: true },
        'Give up': { Type: 'Fail', Error: 'GaveUp', Cause: 'no luck' },
      },
    },
    inputs: [{}],
    handlers: failTimes(10, 'Whatever', () => 1),
  },
  {
    name: 'catch by specific name among several catchers',
    definition: {
      StartAt: 'T',
      States: {
        T: {
          Type: 'Task',
          Resource: fn('Flaky'),
          Catch: [
            { ErrorEquals: ['ImageRejectedError'], ResultPath: '$.rejected', Next: 'Rejected' },
            { ErrorEquals: ['MalformedModelOutputError'], ResultPath: '$.malformed', Next: 'Malformed' },
            { ErrorEquals: ['States.ALL'], Next: 'Other' },
          ],
          End: true,
        },
        Rejected: { Type: 'Pass', End: true },
        Malformed: { Type: 'Pass', End: true },
        Other: { Type: 'Pass', End: true },
      },
    },
    inputs: [{ id: 1 }],
    handlers: failTimes(10, 'MalformedModelOutputError', () => 1),
  },
  {
    name: 'States.TaskFailed catches a task error',
    definition: {
      StartAt: 'T',
      States: {
        T: { Type: 'Task', Resource: fn('Flaky'), Catch: [{ ErrorEquals: ['States.TaskFailed'], ResultPath: '$.e', Next: 'Done' }], End: true },
        Done: { Type: 'Succeed' },
      },
    },
    inputs: [{ z: 0 }],
    handlers: failTimes(10, 'SomethingBroke', () => 1),
  },
  {
    name: 'Fail state with Error and Cause',
    definition: { StartAt: 'P', States: { P: { Type: 'Pass', Next: 'F' }, F: { Type: 'Fail', Error: 'Custom.Error', Cause: 'because' } } },
    inputs: [{}],
  },
  {
    name: 'map with ItemsPath and Parameters using $$.Map.Item',
    definition: {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          Parameters: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
          Iterator: { StartAt: 'Double', States: { Double: { Type: 'Task', Resource: fn('Double'), End: true } } },
          ResultPath: '$.out',
          End: true,
        },
      },
    },
    inputs: [{ items: [1, 2, 3], tag: 't' }],
    handlers: () => ({ Double: (i) => ({ v: i.value * 2, at: i.index, tag: i.tag }) }),
    unordered: true,
  },
  {
    name: 'map with ItemSelector, ItemProcessor and MaxConcurrency',
    definition: {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.rows',
          MaxConcurrency: 2,
          ItemSelector: { 'row.$': '$$.Map.Item.Value' },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'INLINE' },
            StartAt: 'Check',
            States: {
              Check: { Type: 'Choice', Choices: [{ Variable: '$.row.ok', BooleanEquals: true, Next: 'Keep' }], Default: 'Drop' },
              Keep: { Type: 'Pass', InputPath: '$.row.id', End: true },
              Drop: { Type: 'Pass', Result: 'dropped', End: true },
            },
          },
          End: true,
        },
      },
    },
    inputs: [{ rows: [{ id: 'a', ok: true }, { id: 'b', ok: false }, { id: 'c', ok: true }] }],
    unordered: true,
  },
  {
    name: 'map iteration failure is caught at the Map',
    definition: {
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: fn('Picky'), End: true } } },
          Catch: [{ ErrorEquals: ['BadItem'], ResultPath: '$.error', Next: 'Handled' }],
          End: true,
        },
        Handled: { Type: 'Pass', OutputPath: '$.error.Error', End: true },
      },
    },
    // the failing item last: the peer keeps starting items after a failure, AWS does not
    inputs: [{ items: [1, 2, 4, -1] }],
    handlers: () => ({ Picky: (i) => { if (i < 0) throw named('BadItem', `bad ${i}`); return i; } }),
    unordered: true,
  },
  {
    name: 'parallel branches produce an array',
    definition: {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'A', States: { A: { Type: 'Task', Resource: fn('Upper'), End: true } } },
            { StartAt: 'B', States: { B: { Type: 'Pass', Parameters: { 'len.$': 'States.ArrayLength($.list)' }, End: true } } },
          ],
          ResultSelector: { 'upper.$': '$[0]', 'len.$': '$[1].len' },
          End: true,
        },
      },
    },
    inputs: [{ s: 'abc', list: [1, 2] }],
    handlers: () => ({ Upper: (i) => i.s.toUpperCase() }),
    unordered: true,
  },
  {
    name: 'parallel branch failure caught',
    definition: {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'Ok', States: { Ok: { Type: 'Pass', End: true } } },
            { StartAt: 'Bad', States: { Bad: { Type: 'Fail', Error: 'BranchFailed', Cause: 'x' } } },
          ],
          Catch: [{ ErrorEquals: ['BranchFailed'], ResultPath: '$.err', Next: 'After' }],
          End: true,
        },
        After: { Type: 'Pass', End: true },
      },
    },
    inputs: [{ a: 1 }],
    unordered: true,
  },
  {
    name: 'map nested in parallel',
    definition: {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'M',
              States: { M: { Type: 'Map', ItemsPath: '$.xs', ItemProcessor: { StartAt: 'Sq', States: { Sq: { Type: 'Task', Resource: fn('Square'), End: true } } }, End: true } },
            },
            { StartAt: 'Id', States: { Id: { Type: 'Pass', InputPath: '$.name', End: true } } },
          ],
          End: true,
        },
      },
    },
    inputs: [{ xs: [1, 2, 3], name: 'n' }],
    handlers: () => ({ Square: (i) => i * i }),
    unordered: true,
  },
  {
    name: 'wait then continue',
    definition: {
      StartAt: 'W',
      States: { W: { Type: 'Wait', Seconds: 5, Next: 'S' }, S: { Type: 'Pass', Parameters: { 'done.$': '$.x' }, End: true } },
    },
    inputs: [{ x: 'ok' }],
  },
  {
    name: 'succeed with OutputPath and choice default to it',
    definition: {
      StartAt: 'C',
      States: {
        C: { Type: 'Choice', Choices: [{ Variable: '$.go', BooleanEquals: false, Next: 'F' }], Default: 'S' },
        S: { Type: 'Succeed', OutputPath: '$.payload' },
        F: { Type: 'Fail', Error: 'Stopped', Cause: 'go was false' },
      },
    },
    inputs: [{ go: true, payload: { a: [1] } }, { go: false }],
  },
];
