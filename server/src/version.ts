// The one place the version comes from: the manifest.
import manifest from '../../package.json';

export const VERSION: string = manifest.version;
