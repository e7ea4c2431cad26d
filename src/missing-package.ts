import { EiError } from './errors.ts';

/** A feature needs a package that is not installed (or did not load on this platform). */
export class MissingPackageError extends EiError {
  readonly packageName: string;
  constructor(packageName: string, feature: string, options?: { cause?: unknown }) {
    const why = (options?.cause as { message?: string } | undefined)?.message;
    super('EI_MISSING_PACKAGE', `${feature} needs the package '${packageName}' (npm install ${packageName})${why ? `: ${why.split('\n')[0]}` : ''}`, options);
    this.packageName = packageName;
  }
}
