// The registry: the only place a rule is registered. Keep the list sorted by code.
import type { Rule } from '../server/src/engine/rule';
import lockNameFromParameter from './concurrency/lock-name-from-parameter';
import unsafeDeserialization from './deserialization/unsafe-deserialization';
import unsafeYamlLoad from './deserialization/unsafe-yaml-load';
import exceptionTextInLog from './exposure/exception-text-in-log';
import exceptionTextInResponse from './exposure/exception-text-in-response';
import secretConfigOptionUnmasked from './exposure/secret-config-option-unmasked';
import secretInLog from './exposure/secret-in-log';
import dynamicCodeExecution from './injection/dynamic-code-execution';
import shellCommandInjection from './injection/shell-command-injection';
import trojanSourceCharacter from './injection/trojan-source-character';
import unvalidatedCommandArgument from './injection/unvalidated-command-argument';
import broadExceptionSwallowed from './reliability/broad-exception-swallowed';
import resourceReleaseNotInFinally from './reliability/resource-release-not-in-finally';
import unboundedNetworkRead from './reliability/unbounded-network-read';
import hardcodedPassword from './secrets/hardcoded-password';
import hardcodedSecretValue from './secrets/hardcoded-secret-value';
import requestWithoutTimeout from './transport/request-without-timeout';
import tlsVerificationDisabled from './transport/tls-verification-disabled';

export const RULES: readonly Rule[] = [
  shellCommandInjection,
  unvalidatedCommandArgument,
  dynamicCodeExecution,
  trojanSourceCharacter,
  exceptionTextInLog,
  exceptionTextInResponse,
  secretConfigOptionUnmasked,
  secretInLog,
  unsafeYamlLoad,
  unsafeDeserialization,
  tlsVerificationDisabled,
  requestWithoutTimeout,
  lockNameFromParameter,
  broadExceptionSwallowed,
  resourceReleaseNotInFinally,
  unboundedNetworkRead,
  hardcodedPassword,
  hardcodedSecretValue,
];
