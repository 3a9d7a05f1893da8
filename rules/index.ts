// The registry: the only place a rule is registered. Keep the list sorted by code.
import type { Rule } from '../server/src/engine/rule';
import lockNameFromParameter from './concurrency/lock-name-from-parameter';
import unpinnedModelDownload from './deserialization/unpinned-model-download';
import unsafeDeserialization from './deserialization/unsafe-deserialization';
import unsafeXmlParsing from './deserialization/unsafe-xml-parsing';
import unsafeYamlLoad from './deserialization/unsafe-yaml-load';
import exceptionTextInLog from './exposure/exception-text-in-log';
import exceptionTextInResponse from './exposure/exception-text-in-response';
import secretConfigOptionUnmasked from './exposure/secret-config-option-unmasked';
import secretInLog from './exposure/secret-in-log';
import dynamicCodeExecution from './injection/dynamic-code-execution';
import httpHeaderInjection from './injection/http-header-injection';
import jinjaAutoescapeDisabled from './injection/jinja-autoescape-disabled';
import logInjection from './injection/log-injection';
import makoTemplateUnescaped from './injection/mako-template-unescaped';
import reflectedXss from './injection/reflected-xss';
import regexInjection from './injection/regex-injection';
import serverSideTemplateInjection from './injection/server-side-template-injection';
import shellCommandInjection from './injection/shell-command-injection';
import trojanSourceCharacter from './injection/trojan-source-character';
import unsafeMarkupConstruction from './injection/unsafe-markup-construction';
import unvalidatedCommandArgument from './injection/unvalidated-command-argument';
import archiveMemberPathTraversal from './path/archive-member-path-traversal';
import hardcodedTempPath from './path/hardcoded-temp-path';
import insecureTempFile from './path/insecure-temp-file';
import pathTraversal from './path/path-traversal';
import permissiveUmask from './path/permissive-umask';
import tarfileExtractionWithoutFilter from './path/tarfile-extraction-without-filter';
import worldWritablePermissions from './path/world-writable-permissions';
import broadExceptionSwallowed from './reliability/broad-exception-swallowed';
import resourceReleaseNotInFinally from './reliability/resource-release-not-in-finally';
import unboundedNetworkRead from './reliability/unbounded-network-read';
import hardcodedPassword from './secrets/hardcoded-password';
import hardcodedSecretValue from './secrets/hardcoded-secret-value';
import requestWithoutTimeout from './transport/request-without-timeout';
import tlsVerificationDisabled from './transport/tls-verification-disabled';
import bindAllInterfaces from './web/bind-all-interfaces';
import csrfProtectionDisabled from './web/csrf-protection-disabled';
import debugModeEnabled from './web/debug-mode-enabled';
import hardcodedSecretKey from './web/hardcoded-secret-key';
import insecureCookie from './web/insecure-cookie';
import openRedirect from './web/open-redirect';
import regexCatastrophicBacktracking from './web/regex-catastrophic-backtracking';
import serverSideRequestForgery from './web/server-side-request-forgery';

export const RULES: readonly Rule[] = [
  shellCommandInjection,
  unvalidatedCommandArgument,
  dynamicCodeExecution,
  serverSideTemplateInjection,
  jinjaAutoescapeDisabled,
  unsafeMarkupConstruction,
  makoTemplateUnescaped,
  reflectedXss,
  httpHeaderInjection,
  logInjection,
  regexInjection,
  trojanSourceCharacter,
  exceptionTextInLog,
  exceptionTextInResponse,
  secretConfigOptionUnmasked,
  secretInLog,
  unsafeYamlLoad,
  unsafeDeserialization,
  unsafeXmlParsing,
  unpinnedModelDownload,
  tlsVerificationDisabled,
  requestWithoutTimeout,
  lockNameFromParameter,
  broadExceptionSwallowed,
  resourceReleaseNotInFinally,
  unboundedNetworkRead,
  serverSideRequestForgery,
  openRedirect,
  debugModeEnabled,
  hardcodedSecretKey,
  insecureCookie,
  csrfProtectionDisabled,
  bindAllInterfaces,
  regexCatastrophicBacktracking,
  pathTraversal,
  tarfileExtractionWithoutFilter,
  archiveMemberPathTraversal,
  insecureTempFile,
  hardcodedTempPath,
  worldWritablePermissions,
  permissiveUmask,
  hardcodedPassword,
  hardcodedSecretValue,
];
