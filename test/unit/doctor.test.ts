import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runDoctor, type DoctorOptions } from '../../local/doctor';

/**
 * One local server speaking the four protocols the doctor uses: STS and CloudFormation (awsQuery, XML),
 * Bedrock control plane (restJson1) and Textract (awsJson1_1). `world` decides the answers.
 */
interface World {
  stsDenied?: boolean;
  bedrockModels: string[];
  profiles: Record<string, string[]>;
  authorized: boolean;
  textractDenied?: boolean;
  stack?: { status: string; outputs: Record<string, string> };
}
let world: World;
const seen: string[] = [];

function xml(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/xml' });
  res.end(body);
}
function queryError(res: ServerResponse, status: number, code: string, message: string) {
  xml(res, status, `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`);
}
function jsonReply(res: ServerResponse, status: number, body: unknown, errorType?: string, contentType = 'application/json') {
  res.writeHead(status, { 'content-type': contentType, ...(errorType ? { 'x-amzn-errortype': errorType } : {}) });
  res.end(JSON.stringify(body));
}

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  const url = new URL(req.url ?? '/', 'http://x');
  const action = new URLSearchParams(body).get('Action');
  const target = req.headers['x-amz-target'];
  seen.push(action ?? (target as string) ?? `${req.method} ${url.pathname}`);

  if (action === 'GetCallerIdentity') {
    if (world.stsDenied) return queryError(res, 403, 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    return xml(res, 200, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>
      <Arn>arn:aws:iam::123456789012:user/alice</Arn><UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account>
      </GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`);
  }
  if (action === 'DescribeStacks') {
    if (!world.stack) return queryError(res, 400, 'ValidationError', 'Stack with id ReagentIntake does not exist');
    const outputs = Object.entries(world.stack.outputs)
      .map(([k, v]) => `<member><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`).join('');
    return xml(res, 200, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>
      <StackName>ReagentIntake</StackName><StackId>arn:aws:cloudformation:us-east-1:123456789012:stack/ReagentIntake/1</StackId>
      <StackStatus>${world.stack.status}</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime><Outputs>${outputs}</Outputs>
      </member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeStacksResponse>`);
  }
  if (target === 'Textract.DetectDocumentText') {
    if (world.textractDenied) {
      return jsonReply(res, 400, { __type: 'AccessDeniedException', message: 'not authorized to perform: textract:DetectDocumentText' }, undefined, 'application/x-amz-json-1.1');
    }
    return jsonReply(res, 200, { DocumentMetadata: { Pages: 1 }, Blocks: [] }, undefined, 'application/x-amz-json-1.1');
  }
  if (req.method === 'GET' && url.pathname === '/foundation-models') {
    return jsonReply(res, 200, { modelSummaries: world.bedrockModels.map((modelId) => ({ modelId, modelArn: `arn:aws:bedrock:x::foundation-model/${modelId}`, providerName: 'Anthropic' })) });
  }
  const profile = /^\/inference-profiles\/(.+)$/.exec(url.pathname);
  if (req.method === 'GET' && profile) {
    const id = decodeURIComponent(profile[1]);
    const regions = world.profiles[id];
    if (!regions) return jsonReply(res, 404, { message: 'The specified inference profile does not exist.' }, 'ResourceNotFoundException');
    return jsonReply(res, 200, {
      inferenceProfileName: id, inferenceProfileId: id, inferenceProfileArn: `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${id}`,
      status: 'ACTIVE', type: 'SYSTEM_DEFINED',
      models: regions.map((r) => ({ modelArn: `arn:aws:bedrock:${r}::foundation-model/${id.split('.').slice(1).join('.')}` })),
    });
  }
  const availability = /^\/foundation-model-availability\/(.+)$/.exec(url.pathname);
  if (req.method === 'GET' && availability) {
    return jsonReply(res, 200, {
      modelId: decodeURIComponent(availability[1]),
      authorizationStatus: world.authorized ? 'AUTHORIZED' : 'NOT_AUTHORIZED',
      entitlementAvailability: world.authorized ? 'AVAILABLE' : 'NOT_AVAILABLE',
      agreementAvailability: { status: world.authorized ? 'AVAILABLE' : 'NOT_AVAILABLE' },
      regionAvailability: 'AVAILABLE',
    });
  }
  return jsonReply(res, 404, { message: `no route ${req.method} ${url.pathname}` }, 'UnknownOperationException');
}

const PROFILE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const FM = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); });
});
afterAll(() => close());
beforeEach(() => {
  seen.length = 0;
  world = {
    bedrockModels: [FM, 'anthropic.claude-3-haiku-20240307-v1:0'],
    profiles: { [PROFILE]: ['us-east-1', 'us-east-2', 'us-west-2'] },
    authorized: true,
    stack: { status: 'CREATE_COMPLETE', outputs: { BucketName: 'intake-bucket', StateMachineArn: 'arn:sm', ReviewApiUrl: 'https://api.example' } },
  };
});

const options = (over: Partial<DoctorOptions> = {}): DoctorOptions => ({
  region: 'us-east-1',
  modelId: PROFILE,
  credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake' },
  endpoints: { sts: url, bedrock: url, textract: url, cloudformation: url },
  ...over,
});
const check = (report: Awaited<ReturnType<typeof runDoctor>>, name: string) => report.checks.find((c) => c.name === name)!;

describe('intake doctor', () => {
  it('passes every check when access is granted and the stack is deployed', async () => {
    const report = await runDoctor(options());

    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([
      ['credentials', true],
      ['bedrock-region', true],
      ['model-offered', true],
      ['model-access', true],
      ['textract', true],
      ['stack', true],
    ]);
    expect(report.ok).toBe(true);
    expect(check(report, 'credentials').detail).toContain('123456789012');
    expect(check(report, 'model-offered').detail).toContain('us-east-1, us-east-2, us-west-2');
    expect(seen).toEqual(expect.arrayContaining(['GetCallerIdentity', 'Textract.DetectDocumentText', 'DescribeStacks', `GET /foundation-model-availability/${encodeURIComponent(FM)}`]));
  });

  it('says where to request model access when it is not granted', async () => {
    world.authorized = false;

    const report = await runDoctor(options());

    const access = check(report, 'model-access');
    expect(report.ok).toBe(false);
    expect(access.ok).toBe(false);
    expect(access.detail).toContain('NOT_AUTHORIZED');
    expect(access.fix).toContain('https://us-east-1.console.aws.amazon.com/bedrock/home?region=us-east-1#/modelaccess');
    expect(access.fix).toContain(FM);
  });

  it('points to us-east-1 when the model is not offered in the configured region', async () => {
    world.bedrockModels = ['amazon.titan-text-express-v1'];
    world.profiles = {};

    const profileReport = await runDoctor(options({ region: 'ap-east-1' }));
    const plainReport = await runDoctor(options({ region: 'ap-east-1', modelId: FM }));

    expect(check(profileReport, 'model-offered')).toMatchObject({ ok: false, fix: expect.stringContaining('us-east-1') });
    expect(check(plainReport, 'model-offered')).toMatchObject({ ok: false, fix: expect.stringContaining('BEDROCK_REGION=us-east-1') });
    expect(plainReport.checks.find((c) => c.name === 'model-access')).toBeUndefined();
  });

  it('reports a region without a Bedrock endpoint', async () => {
    const report = await runDoctor(options({ region: 'af-south-1', endpoints: { sts: url, bedrock: 'http://127.0.0.1:9', textract: url, cloudformation: url } }));

    expect(check(report, 'bedrock-region')).toMatchObject({ ok: false, fix: expect.stringContaining('us-east-1') });
  });

  it('stops after the credentials check when they are invalid', async () => {
    world.stsDenied = true;

    const report = await runDoctor(options());

    expect(report.checks).toEqual([expect.objectContaining({ name: 'credentials', ok: false, fix: expect.stringContaining('aws configure') })]);
    expect(seen).toEqual(['GetCallerIdentity']);
  });

  it('reports Textract denied and a stack that is not deployed, with fixes', async () => {
    world.textractDenied = true;
    world.stack = undefined;

    const report = await runDoctor(options());

    expect(check(report, 'textract')).toMatchObject({ ok: false, fix: expect.stringContaining('textract:DetectDocumentText') });
    expect(check(report, 'stack')).toMatchObject({ ok: false, fix: expect.stringContaining('npx cdk deploy') });
  });
});
