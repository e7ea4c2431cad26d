#!/usr/bin/env node
// Installed-binary shim: the package ships TypeScript sources and runs them through tsx.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
