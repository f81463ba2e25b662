/** The command builder's public surface: validate a spec, build its argv and script, quote for bash. */
export { buildCommand, maskSecrets, DEFAULT_MAIN_PROCESS_PORT, type BuildOptions, type BuiltCommand } from './build.js';
export { validateSpec } from './validate.js';
export { shellQuote, shellJoin, quoteCommandWord } from './quote.js';
export { parseEnvLine, isSecretName, SHELL_NAME, type EnvLine } from './env-lines.js';
