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
import unsafeDeserialization from './deserialization/unsafe-deserialization';
import unsafeYamlLoad from './deserialization/unsafe-yaml-load';
import exceptionTextInLog from './exposure/exception-text-in-log';
import exceptionTextInResponse from './exposure/exception-text-in-response';
import dynamicCodeExecution from './injection/dynamic-code-execution';
import shellCommandInjection from './injection/shell-command-injection';
import unvalidatedCommandArgument from './injection/unvalidated-command-argument';
import cleartextCredentialsOverHttp from './transport/cleartext-credentials-over-http';
import cleartextFtpLogin from './transport/cleartext-ftp-login';
import deprecatedSslWrapSocket from './transport/deprecated-ssl-wrap-socket';
import insecureSnmpVersion from './transport/insecure-snmp-version';
import insecureTlsVersion from './transport/insecure-tls-version';
import requestWithoutTimeout from './transport/request-without-timeout';
import sshHostKeyNotVerified from './transport/ssh-host-key-not-verified';
import telnetConnection from './transport/telnet-connection';
import tlsVerificationDisabled from './transport/tls-verification-disabled';

export const RULES: readonly Rule[] = [
  shellCommandInjection,
  unvalidatedCommandArgument,
  dynamicCodeExecution,
  exceptionTextInLog,
  exceptionTextInResponse,
  unsafeYamlLoad,
  unsafeDeserialization,
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
  weakHashAlgorithm,
  fastHashForPassword,
  weakCipherAlgorithm,
  ecbCipherMode,
  staticCipherIv,
  weakCryptoKeySize,
  insecureRandomForSecret,
  jwtSignatureNotVerified,
];
