// The registry: the only place a rule is registered. Keep the list sorted by code.
import type { Rule } from '../server/src/engine/rule';
import lockNameFromParameter from './concurrency/lock-name-from-parameter';
import unpinnedModelDownload from './deserialization/unpinned-model-download';
import unsafeDeserialization from './deserialization/unsafe-deserialization';
import unsafeXmlParsing from './deserialization/unsafe-xml-parsing';
import unsafeYamlLoad from './deserialization/unsafe-yaml-load';
import exceptionTextInLog from './exposure/exception-text-in-log';
import exceptionTextInResponse from './exposure/exception-text-in-response';
import dynamicCodeExecution from './injection/dynamic-code-execution';
import shellCommandInjection from './injection/shell-command-injection';
import unvalidatedCommandArgument from './injection/unvalidated-command-argument';
import archiveMemberPathTraversal from './path/archive-member-path-traversal';
import hardcodedTempPath from './path/hardcoded-temp-path';
import insecureTempFile from './path/insecure-temp-file';
import pathTraversal from './path/path-traversal';
import permissiveUmask from './path/permissive-umask';
import tarfileExtractionWithoutFilter from './path/tarfile-extraction-without-filter';
import worldWritablePermissions from './path/world-writable-permissions';
import requestWithoutTimeout from './transport/request-without-timeout';
import tlsVerificationDisabled from './transport/tls-verification-disabled';

export const RULES: readonly Rule[] = [
  shellCommandInjection,
  unvalidatedCommandArgument,
  dynamicCodeExecution,
  exceptionTextInLog,
  exceptionTextInResponse,
  unsafeYamlLoad,
  unsafeDeserialization,
  unsafeXmlParsing,
  unpinnedModelDownload,
  tlsVerificationDisabled,
  requestWithoutTimeout,
  lockNameFromParameter,
  pathTraversal,
  tarfileExtractionWithoutFilter,
  archiveMemberPathTraversal,
  insecureTempFile,
  hardcodedTempPath,
  worldWritablePermissions,
  permissiveUmask,
];
