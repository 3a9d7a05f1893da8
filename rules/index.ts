// The registry: the only place a rule is registered. Keep the list sorted by code.
import type { Rule } from '../server/src/engine/rule';
import lockNameFromParameter from './concurrency/lock-name-from-parameter';
import ecbCipherMode from './crypto/ecb-cipher-mode';
import fastHashForPassword from './crypto/fast-hash-for-password';
import insecureRandomForSecret from './crypto/insecure-random-for-secret';
import jwtSignatureNotVerified from './crypto/jwt-signature-not-verified';
import staticCipherIv from './crypto/static-cipher-iv';
import weakCipherAlgorithm from './crypto/weak-cipher-algorithm';
import weakCryptoKeySize from './crypto/weak-crypto-key-size';
import weakHashAlgorithm from './crypto/weak-hash-algorithm';
import unpinnedModelDownload from './deserialization/unpinned-model-download';
import unsafeDeserialization from './deserialization/unsafe-deserialization';
import unsafeXmlParsing from './deserialization/unsafe-xml-parsing';
import unsafeYamlLoad from './deserialization/unsafe-yaml-load';
import exceptionTextInLog from './exposure/exception-text-in-log';
import exceptionTextInResponse from './exposure/exception-text-in-response';
import secretConfigOptionUnmasked from './exposure/secret-config-option-unmasked';
import secretInLog from './exposure/secret-in-log';
import dynamicCodeExecution from './injection/dynamic-code-execution';
import externallySelectedCode from './injection/externally-selected-code';
import httpHeaderInjection from './injection/http-header-injection';
import jinjaAutoescapeDisabled from './injection/jinja-autoescape-disabled';
import ldapQueryInjection from './injection/ldap-query-injection';
import logInjection from './injection/log-injection';
import loggingConfigListener from './injection/logging-config-listener';
import makoTemplateUnescaped from './injection/mako-template-unescaped';
import reflectedXss from './injection/reflected-xss';
import regexInjection from './injection/regex-injection';
import serverSideTemplateInjection from './injection/server-side-template-injection';
import shellCommandInjection from './injection/shell-command-injection';
import shellWildcardInjection from './injection/shell-wildcard-injection';
import sqlQueryInjection from './injection/sql-query-injection';
import trojanSourceCharacter from './injection/trojan-source-character';
import unsafeMarkupConstruction from './injection/unsafe-markup-construction';
import unvalidatedCommandArgument from './injection/unvalidated-command-argument';
import xpathQueryInjection from './injection/xpath-query-injection';
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
import cleartextCredentialsOverHttp from './transport/cleartext-credentials-over-http';
import cleartextFtpLogin from './transport/cleartext-ftp-login';
import deprecatedSslWrapSocket from './transport/deprecated-ssl-wrap-socket';
import insecureSnmpVersion from './transport/insecure-snmp-version';
import insecureTlsVersion from './transport/insecure-tls-version';
import requestWithoutTimeout from './transport/request-without-timeout';
import sshHostKeyNotVerified from './transport/ssh-host-key-not-verified';
import telnetConnection from './transport/telnet-connection';
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
  shellWildcardInjection,
  sqlQueryInjection,
  externallySelectedCode,
  loggingConfigListener,
  ldapQueryInjection,
  xpathQueryInjection,
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
  insecureTlsVersion,
  deprecatedSslWrapSocket,
  cleartextCredentialsOverHttp,
  telnetConnection,
  cleartextFtpLogin,
  insecureSnmpVersion,
  sshHostKeyNotVerified,
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
  weakHashAlgorithm,
  fastHashForPassword,
  weakCipherAlgorithm,
  ecbCipherMode,
  staticCipherIv,
  weakCryptoKeySize,
  insecureRandomForSecret,
  jwtSignatureNotVerified,
  hardcodedPassword,
  hardcodedSecretValue,
];
