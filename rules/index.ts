// The registry: the only place a rule is registered. Keep the list sorted by code.
import type { Rule } from '../server/src/engine/rule';
import lockNameFromParameter from './concurrency/lock-name-from-parameter';
import unsafeDeserialization from './deserialization/unsafe-deserialization';
import unsafeYamlLoad from './deserialization/unsafe-yaml-load';
import exceptionTextInLog from './exposure/exception-text-in-log';
import exceptionTextInResponse from './exposure/exception-text-in-response';
import dynamicCodeExecution from './injection/dynamic-code-execution';
import externallySelectedCode from './injection/externally-selected-code';
import ldapQueryInjection from './injection/ldap-query-injection';
import loggingConfigListener from './injection/logging-config-listener';
import shellCommandInjection from './injection/shell-command-injection';
import shellWildcardInjection from './injection/shell-wildcard-injection';
import sqlQueryInjection from './injection/sql-query-injection';
import unvalidatedCommandArgument from './injection/unvalidated-command-argument';
import xpathQueryInjection from './injection/xpath-query-injection';
import requestWithoutTimeout from './transport/request-without-timeout';
import tlsVerificationDisabled from './transport/tls-verification-disabled';

export const RULES: readonly Rule[] = [
  shellCommandInjection,
  unvalidatedCommandArgument,
  dynamicCodeExecution,
  shellWildcardInjection,
  sqlQueryInjection,
  externallySelectedCode,
  loggingConfigListener,
  ldapQueryInjection,
  xpathQueryInjection,
  exceptionTextInLog,
  exceptionTextInResponse,
  unsafeYamlLoad,
  unsafeDeserialization,
  tlsVerificationDisabled,
  requestWithoutTimeout,
  lockNameFromParameter,
];
