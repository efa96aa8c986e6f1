/**
 * Synapse's configuration files from `HS_*` variables (deploy, `npm start`): the templates are
 * `@mana/synapse-config`, this package reads the environment and writes the files.
 */
export { homeserverEnv, renderHomeserverFiles, type HomeserverEnv, type RenderedFile } from './files.ts';
