import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';

/** CDK entry point (`npx cdk synth|deploy`, see cdk.json). Settings come from context: docs/aws.md. */
buildApp(new App());
