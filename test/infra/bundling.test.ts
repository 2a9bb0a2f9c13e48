import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { IntakeFunction, SHARP_VERSION, sharpInstallCommands } from '../../lib/intake-function';

let outdir: string;
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('IntakeFunction bundling', () => {
  it('bundles a handler locally with esbuild (no Docker) into a minified CJS file with a source map', () => {
    outdir = mkdtempSync(path.join(tmpdir(), 'intake-bundle-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'BundleProbe');
    new IntakeFunction(stack, 'ReviewApi', { step: 'review-api' });

    const assembly = app.synth();

    const template = Template.fromJSON(JSON.parse(readFileSync(path.join(assembly.directory, 'BundleProbe.template.json'), 'utf8')));
    template.hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler', Runtime: 'nodejs22.x', Architectures: ['arm64'] });
    const assetDir = readdirSync(assembly.directory).find((d) => d.startsWith('asset.'));
    const bundle = path.join(assembly.directory, assetDir!, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    // The pinned SDK is bundled, not taken from the runtime.
    expect(readFileSync(bundle, 'utf8')).toContain('SendTaskSuccess');
  }, 60_000);

  it('installs the linux-arm64 build of the pinned sharp version next to the bundle', () => {
    const [manifest, cmd] = sharpInstallCommands('/asset-output');

    // Both keep npm inside the bundle directory instead of the repository's node_modules.
    expect(manifest).toBe(`echo '{"private":true}' > "/asset-output/package.json"`);
    expect(cmd).toContain('--prefix "/asset-output"');
    expect(cmd).toMatch(/--os=linux --cpu=arm64 --libc=glibc/);
    expect(cmd).toContain(`sharp@${SHARP_VERSION}`);
    expect(SHARP_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
