import { compileRule, type Rule } from './choice';
import { InvalidDefinition } from './errors';
import { compileJsonataTemplate, compileExpression, isJsonataExpr, type AsyncCompiled } from './jsonata-support';
import { compileTemplate, compileValueExpr, type Compiled } from './jsonpath';

// asl-validator ships no types; this is the part of its API we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: (def: unknown, opts?: object) => { isValid: boolean; errorsText(sep?: string): string } = require('asl-validator');

export type QueryLanguage = 'JSONata' | 'JSONPath';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local';

/** The local ARN a `${XFunctionArn}` placeholder becomes; the handler is found again by function name. */
export function localFunctionArn(substitutionKey: string): string {
  const fn = substitutionKey.replace(/FunctionArn$|Arn$/, '') || substitutionKey;
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${fn}`;
}

/** Function name from a FunctionName / Resource value: bare name, function ARN, or ARN with qualifier. */
export function functionNameOf(ref: string): string {
  const m = /^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:([^:]+)(:.*)?$/.exec(ref);
  if (m) return m[1];
  return ref.split(':')[0];
}

/** Plain text replacement of `${Name}`, exactly as CDK's definitionSubstitutions does. */
export function substitute(text: string, values: Record<string, string>): string {
  const unknown = new Set<string>();
  const out = text.replace(/\$\{([A-Za-z0-9_.-]+)\}/g, (m, key: string) => {
    if (Object.prototype.hasOwnProperty.call(values, key)) return values[key];
    unknown.add(key);
    return m;
  });
  if (unknown.size) {
    throw new InvalidDefinition(
      `Unknown substitution placeholder(s) ${[...unknown].map((k) => '${' + k + '}').join(', ')}: register a handler or a definitionSubstitutions value for each`,
    );
  }
  return out;
}

export interface CRetrier {
  errorEquals: string[];
  interval: number;
  maxAttempts: number;
  backoff: number;
  maxDelay?: number;
  jitter: 'FULL' | 'NONE';
}

export interface CCatcher {
  errorEquals: string[];
  next: string;
  resultPath?: string | null;
  output?: AsyncCompiled;
  assign?: AsyncCompiled;
  assignPath?: Compiled;
}

export interface CChoice {
  rule?: Rule;
  condition?: AsyncCompiled;
  next: string;
  output?: AsyncCompiled;
  assign?: AsyncCompiled;
  assignPath?: Compiled;
}

/** A number that may be a literal, a JSONata expression or a reference path (`...Path` field). */
export type NumberField =
  | { k: 'lit'; v: unknown }
  | { k: 'jsonata'; f: AsyncCompiled }
  | { k: 'path'; f: Compiled };

export type TaskKind = 'invoke' | 'invoke-token' | 'function';

export interface CState {
  name: string;
  type: string;
  ql: QueryLanguage;
  raw: any;
  next?: string;
  end: boolean;
  // JSONPath processing
  inputPath?: string | null;
  outputPath?: string | null;
  resultPath?: string | null;
  parameters?: Compiled;
  resultSelector?: Compiled;
  assignPath?: Compiled;
  // JSONata processing
  args?: AsyncCompiled;
  output?: AsyncCompiled;
  assign?: AsyncCompiled;
  retry: CRetrier[];
  catch: CCatcher[];
  // Task
  taskKind?: TaskKind;
  resource?: string;
  /** Function name of a Lambda ARN resource, filled in on first use. */
  functionName?: string;
  /** A JSONPath Pass, Choice or Succeed state: its body has nothing to await. */
  syncBody?: boolean;
  timeout?: NumberField;
  heartbeat?: NumberField;
  // Choice
  choices?: CChoice[];
  default?: string;
  // Wait
  seconds?: NumberField;
  timestamp?: NumberField;
  // Fail
  errorField?: NumberField;
  causeField?: NumberField;
  // Parallel / Map
  branches?: CMachine[];
  processor?: CMachine;
  items?: NumberField;
  itemSelector?: Compiled;
  itemSelectorJsonata?: AsyncCompiled;
  maxConcurrency?: NumberField;
  toleratedCount?: NumberField;
  toleratedPercent?: NumberField;
}

export interface CMachine {
  startAt: string;
  states: Map<string, CState>;
  ql: QueryLanguage;
  timeoutSeconds?: number;
  /** Every state name in this machine and nested ones (for history/graph). */
  stateCount: number;
}

const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'Parameters', 'ResultSelector', 'ResultPath', 'ItemsPath', 'Iterator',
  'SecondsPath', 'TimestampPath', 'ErrorPath', 'CausePath', 'TimeoutSecondsPath', 'HeartbeatSecondsPath',
  'MaxConcurrencyPath', 'ToleratedFailureCountPath', 'ToleratedFailurePercentagePath', 'Result'];
const JSONATA_ONLY = ['Arguments', 'Output', 'Items'];

const COMMON = ['Type', 'Comment', 'QueryLanguage'];
const IO_PATH = ['InputPath', 'OutputPath'];
const FLOW = ['Next', 'End'];
const TASKLIKE = ['Parameters', 'Arguments', 'ResultSelector', 'ResultPath', 'Output', 'Retry', 'Catch', 'Assign'];
/** Fields each state type accepts (both query languages; the cross-language check is separate). */
const ALLOWED: Record<string, string[]> = {
  Pass: [...COMMON, ...IO_PATH, ...FLOW, 'Parameters', 'Result', 'ResultPath', 'Output', 'Assign'],
  Task: [...COMMON, ...IO_PATH, ...FLOW, ...TASKLIKE, 'Resource', 'TimeoutSeconds', 'TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath', 'Credentials'],
  Choice: [...COMMON, ...IO_PATH, 'Choices', 'Default', 'Output', 'Assign'],
  Wait: [...COMMON, ...IO_PATH, ...FLOW, 'Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath', 'Output', 'Assign'],
  Succeed: [...COMMON, ...IO_PATH, 'Output'],
  Fail: [...COMMON, 'Error', 'ErrorPath', 'Cause', 'CausePath'],
  Parallel: [...COMMON, ...IO_PATH, ...FLOW, ...TASKLIKE, 'Branches'],
  Map: [...COMMON, ...IO_PATH, ...FLOW, ...TASKLIKE, 'ItemProcessor', 'Iterator', 'ItemsPath', 'Items', 'ItemSelector', 'ItemReader',
    'ItemBatcher', 'ResultWriter', 'MaxConcurrency', 'MaxConcurrencyPath', 'ToleratedFailurePercentage', 'ToleratedFailurePercentagePath',
    'ToleratedFailureCount', 'ToleratedFailureCountPath', 'Label'],
};

const fail = (msg: string): never => {
  throw new InvalidDefinition(msg);
};

const validTexts = new Set<string>();

/** Parses, validates (asl-validator + our own checks) and compiles a resolved definition. */
export function loadDefinition(text: string): { def: any; machine: CMachine } {
  let def: any;
  try {
    def = JSON.parse(text);
  } catch (e) {
    fail(`Definition is not valid JSON: ${(e as Error).message}`);
  }
  if (!def || typeof def !== 'object' || typeof def.States !== 'object') fail('Definition needs StartAt and States');
  ownChecks(def, def.QueryLanguage ?? 'JSONPath', 'States');
  // asl-validator builds a fresh JSON-schema compiler per call (~75 ms); remember texts already accepted.
  if (!validTexts.has(text)) {
    const result = aslValidator(structuredClone(def), { checkArn: false, checkPaths: true });
    if (!result.isValid) fail(`Invalid state machine definition: ${result.errorsText('; ')}`);
    validTexts.add(text);
  }
  try {
    return { def, machine: compileMachine(def, def.QueryLanguage ?? 'JSONPath') };
  } catch (e) {
    if (e instanceof InvalidDefinition) throw e;
    throw new InvalidDefinition(`Invalid state machine definition: ${(e as Error).message}`);
  }
}

function ownChecks(m: any, ql: QueryLanguage, where: string): void {
  if (typeof m.StartAt !== 'string' || !(m.StartAt in (m.States ?? {}))) {
    fail(`${where}: StartAt '${m.StartAt}' does not name a state`);
  }
  for (const [name, s] of Object.entries<any>(m.States)) {
    const sql: QueryLanguage = s.QueryLanguage ?? ql;
    const at = `State '${name}'`;
    if (!s || typeof s !== 'object' || !(s.Type in ALLOWED)) fail(`${at}: unknown Type '${s?.Type}'`);
    for (const f of Object.keys(s)) {
      if (!ALLOWED[s.Type].includes(f)) fail(`${at}: field '${f}' is not supported in a ${s.Type} state`);
    }
    if (sql === 'JSONata') {
      for (const f of JSONPATH_ONLY) if (f in s) fail(`${at}: field '${f}' is JSONPath-only and not allowed with QueryLanguage JSONata`);
      for (const c of s.Choices ?? []) if ('Variable' in c || 'And' in c || 'Or' in c || 'Not' in c) fail(`${at}: JSONata Choice rules use 'Condition', not Variable/And/Or/Not`);
      for (const c of s.Catch ?? []) if ('ResultPath' in c) fail(`${at}: Catch 'ResultPath' is JSONPath-only; use 'Output'`);
    } else {
      for (const f of JSONATA_ONLY) if (f in s) fail(`${at}: field '${f}' is JSONata-only; set QueryLanguage to JSONata`);
      for (const c of s.Choices ?? []) if ('Condition' in c) fail(`${at}: 'Condition' is JSONata-only`);
    }
    for (const t of [s.Next, s.Default, ...(s.Choices ?? []).map((c: any) => c.Next), ...(s.Catch ?? []).map((c: any) => c.Next)]) {
      if (t !== undefined && !(t in m.States)) fail(`${at}: transition target '${t}' does not exist`);
    }
    if (s.Type === 'Task') {
      if (typeof s.Resource !== 'string') fail(`${at}: Task needs a Resource`);
      taskKindOf(s.Resource, at);
    }
    if (s.Type === 'Parallel') (s.Branches ?? []).forEach((b: any, i: number) => ownChecks(b, sql, `${at}.Branches[${i}]`));
    if (s.Type === 'Map') {
      const p = s.ItemProcessor ?? s.Iterator;
      if (p) ownChecks(p, sql, `${at}.ItemProcessor`);
      if (p?.ProcessorConfig?.Mode === 'DISTRIBUTED') fail(`${at}: DISTRIBUTED Map is not supported by the local engine`);
    }
  }
}

function taskKindOf(resource: string, at: string): TaskKind {
  if (resource === 'arn:aws:states:::lambda:invoke') return 'invoke';
  if (resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') return 'invoke-token';
  if (/^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:[^:]+(:[^:]+)?$/.test(resource)) return 'function';
  return fail(`${at}: Resource '${resource}' is not supported locally (use lambda:invoke, lambda:invoke.waitForTaskToken or a Lambda ARN)`);
}

function numberField(s: any, field: string, ql: QueryLanguage, at: string): NumberField | undefined {
  const v = s[field];
  if (v !== undefined) {
    if (ql === 'JSONata' && isJsonataExpr(v)) return { k: 'jsonata', f: compileExpression(v, `${at}.${field}`) };
    return { k: 'lit', v };
  }
  const p = s[field + 'Path'];
  if (p !== undefined) return { k: 'path', f: compileValueExpr(p, `${at}.${field}Path`) };
  return undefined;
}

function compileMachine(m: any, ql: QueryLanguage): CMachine {
  const states = new Map<string, CState>();
  let count = 0;
  for (const [name, s] of Object.entries<any>(m.States)) {
    const st = compileState(name, s, s.QueryLanguage ?? ql);
    states.set(name, st);
    count += 1 + (st.branches ?? []).reduce((n, b) => n + b.stateCount, 0) + (st.processor?.stateCount ?? 0);
  }
  return { startAt: m.StartAt, states, ql, timeoutSeconds: m.TimeoutSeconds, stateCount: count };
}

function compileState(name: string, s: any, ql: QueryLanguage): CState {
  const at = `States.${name}`;
  const st: CState = {
    name,
    type: s.Type,
    ql,
    raw: s,
    next: s.Next,
    end: s.End === true || s.Type === 'Succeed' || s.Type === 'Fail',
    retry: (s.Retry ?? []).map((r: any) => ({
      errorEquals: r.ErrorEquals,
      interval: r.IntervalSeconds ?? 1,
      maxAttempts: r.MaxAttempts ?? 3,
      backoff: r.BackoffRate ?? 2,
      maxDelay: r.MaxDelaySeconds,
      jitter: r.JitterStrategy === 'FULL' ? 'FULL' : 'NONE',
    })),
    catch: (s.Catch ?? []).map((c: any, i: number) => ({
      errorEquals: c.ErrorEquals,
      next: c.Next,
      resultPath: 'ResultPath' in c ? c.ResultPath : undefined,
      output: c.Output !== undefined ? compileJsonataTemplate(c.Output, `${at}.Catch[${i}].Output`) : undefined,
      assign: c.Assign && ql === 'JSONata' ? compileJsonataTemplate(c.Assign, `${at}.Catch[${i}].Assign`) : undefined,
      assignPath: c.Assign && ql === 'JSONPath' ? compileTemplate(c.Assign, `${at}.Catch[${i}].Assign`) : undefined,
    })),
  };
  if (ql === 'JSONPath') {
    st.syncBody = s.Type === 'Pass' || s.Type === 'Choice' || s.Type === 'Succeed';
    st.inputPath = 'InputPath' in s ? s.InputPath : '$';
    st.outputPath = 'OutputPath' in s ? s.OutputPath : '$';
    st.resultPath = 'ResultPath' in s ? s.ResultPath : '$';
    if (s.Parameters !== undefined) st.parameters = compileTemplate(s.Parameters, `${at}.Parameters`);
    if (s.ResultSelector !== undefined) st.resultSelector = compileTemplate(s.ResultSelector, `${at}.ResultSelector`);
    if (s.Assign !== undefined) st.assignPath = compileTemplate(s.Assign, `${at}.Assign`);
  } else {
    if (s.Arguments !== undefined) st.args = compileJsonataTemplate(s.Arguments, `${at}.Arguments`);
    if (s.Output !== undefined) st.output = compileJsonataTemplate(s.Output, `${at}.Output`);
    if (s.Assign !== undefined) st.assign = compileJsonataTemplate(s.Assign, `${at}.Assign`);
  }
  switch (s.Type) {
    case 'Task':
      st.taskKind = taskKindOf(s.Resource, `State '${name}'`);
      st.resource = s.Resource;
      st.timeout = numberField(s, 'TimeoutSeconds', ql, at);
      st.heartbeat = numberField(s, 'HeartbeatSeconds', ql, at);
      break;
    case 'Choice':
      st.default = s.Default;
      st.choices = s.Choices.map((c: any, i: number) => ({
        next: c.Next,
        rule: ql === 'JSONPath' ? compileRule(c, `${at}.Choices[${i}]`) : undefined,
        condition: ql === 'JSONata' ? compileJsonataTemplate(c.Condition, `${at}.Choices[${i}].Condition`) : undefined,
        output: c.Output !== undefined ? compileJsonataTemplate(c.Output, `${at}.Choices[${i}].Output`) : undefined,
        assign: c.Assign && ql === 'JSONata' ? compileJsonataTemplate(c.Assign, `${at}.Choices[${i}].Assign`) : undefined,
        assignPath: c.Assign && ql === 'JSONPath' ? compileTemplate(c.Assign, `${at}.Choices[${i}].Assign`) : undefined,
      }));
      break;
    case 'Wait':
      st.seconds = numberField(s, 'Seconds', ql, at);
      st.timestamp = numberField(s, 'Timestamp', ql, at);
      break;
    case 'Fail':
      st.errorField = numberField(s, 'Error', ql, at);
      st.causeField = numberField(s, 'Cause', ql, at);
      break;
    case 'Parallel':
      st.branches = s.Branches.map((b: any) => compileMachine(b, b.QueryLanguage ?? ql));
      break;
    case 'Map': {
      const p = s.ItemProcessor ?? s.Iterator;
      st.processor = compileMachine(p, p.QueryLanguage ?? ql);
      if (ql === 'JSONata') {
        st.items = s.Items !== undefined ? (isJsonataExpr(s.Items) ? { k: 'jsonata', f: compileExpression(s.Items, `${at}.Items`) } : { k: 'lit', v: s.Items }) : undefined;
        if (s.ItemSelector !== undefined) st.itemSelectorJsonata = compileJsonataTemplate(s.ItemSelector, `${at}.ItemSelector`);
      } else {
        if (s.ItemsPath !== undefined) st.items = { k: 'path', f: compileValueExpr(s.ItemsPath, `${at}.ItemsPath`) };
        const sel = s.ItemSelector ?? s.Parameters;
        if (sel !== undefined) st.itemSelector = compileTemplate(sel, `${at}.ItemSelector`);
        st.parameters = undefined; // Map's Parameters is its ItemSelector, not applied to the state input
      }
      st.maxConcurrency = numberField(s, 'MaxConcurrency', ql, at);
      st.toleratedCount = numberField(s, 'ToleratedFailureCount', ql, at);
      st.toleratedPercent = numberField(s, 'ToleratedFailurePercentage', ql, at);
      break;
    }
  }
  return st;
}
