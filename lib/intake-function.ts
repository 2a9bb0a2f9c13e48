import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import * as path from 'node:path';

/** Repository root, from this file's location (never the current directory). */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** The sharp version in package.json; the arm64 build installed into the bundle must match it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const SHARP_VERSION: string = require(path.join(REPO_ROOT, 'package.json')).dependencies.sharp;

/**
 * Shell commands that put sharp's linux-arm64 native build next to the bundle. sharp is a native module,
 * so esbuild cannot bundle it, and the copy in node_modules here is built for the host (linux-x64).
 * npm's --os/--cpu/--libc flags choose the prebuilt @img/sharp-linux-arm64 package; no Docker needed,
 * but it needs the npm registry at bundling time.
 */
export function sharpInstallCommands(outputDir: string): string[] {
  // The package.json and --prefix pin npm to the bundle directory. Without them npm walks up to the nearest
  // package.json — the repository — and swaps the host's sharp for the arm64 build (measured: it did).
  return [
    `echo '{"private":true}' > "${outputDir}/package.json"`,
    `npm install --prefix "${outputDir}" --no-save --no-package-lock --no-audit --no-fund --ignore-scripts ` +
      `--os=linux --cpu=arm64 --libc=glibc sharp@${SHARP_VERSION}`,
  ];
}

export interface IntakeFunctionProps {
  /** Folder name under `functions/`; the entry is `functions/<step>/handler.ts`, export `handler`. */
  readonly step: string;
  /** Exported function name in handler.ts. @default 'handler' */
  readonly handler?: string;
  /** Environment variables on top of the Powertools ones. @default {} */
  readonly environment?: Record<string, string>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** Reserved concurrency; undefined leaves the function in the account's unreserved pool. @default undefined */
  readonly reservedConcurrentExecutions?: number;
  /** The code imports sharp (native): keep it external and install the arm64 build into the bundle. @default false */
  readonly usesSharp?: boolean;
  /** Where the step folders live. @default `<repo>/functions` */
  readonly functionsRoot?: string;
  /** @default RetentionDays.ONE_MONTH */
  readonly logRetention?: RetentionDays;
}

/**
 * A step Lambda with the house defaults fixed in one place: Node.js 22 on arm64, X-Ray tracing, source
 * maps, Powertools service name and metrics namespace, a log group with retention, and local esbuild
 * bundling (no Docker).
 */
export class IntakeFunction extends NodejsFunction {
  readonly step: string;

  constructor(scope: Construct, id: string, props: IntakeFunctionProps) {
    const functionsRoot = props.functionsRoot ?? path.join(REPO_ROOT, 'functions');
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    super(scope, id, {
      entry: path.join(functionsRoot, props.step, 'handler.ts'),
      handler: props.handler ?? 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: {
        POWERTOOLS_SERVICE_NAME: `intake-${props.step}`,
        POWERTOOLS_METRICS_NAMESPACE: 'ReagentIntake',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Bundle the pinned AWS SDK rather than trust the runtime's copy (Converse cachePoint needs a recent one).
        externalModules: props.usesSharp ? ['sharp'] : [],
        ...(props.usesSharp
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_inputDir: string, outputDir: string) => sharpInstallCommands(outputDir),
              },
            }
          : {}),
      },
    });
    this.step = props.step;
  }
}
