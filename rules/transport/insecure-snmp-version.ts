import { lastSegment, matchesAny } from '../../server/src/engine/names';
import type { Rule } from '../../server/src/engine/rule';

const COMMUNITY = ['*.CommunityData'];
const USM = ['*.UsmUserData'];
/** pysnmp names the call may come from; a bare name needs `from pysnmp... import *`. */
const PYSNMP = /^(pysnmp\.|CommunityData$|UsmUserData$)/;

const rule: Rule = {
  code: 'SL408',
  name: 'insecure-snmp-version',
  category: 'transport',
  summary: 'SNMP v1/v2c community string, or SNMPv3 without authentication and privacy',
  severity: 'medium',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [319, 327],
  bandit: ['B508', 'B509'],
  ruff: ['S508', 'S509'],
  fix: 'none',
  explanation: {
    what:
      'pysnmp is given SNMP v1/v2c credentials (`CommunityData(...)`), or SNMPv3 user data without authentication (`UsmUserData(user)`, `authProtocol=usmNoAuthProtocol`) or without privacy (no `privKey`, `privProtocol=usmNoPrivProtocol`).',
    why:
      'SNMP v1 and v2c authenticate with a community string sent in clear text in every packet; anyone who sees one packet can read (and with a write community, reconfigure) the device. SNMPv3 without the auth level accepts forged requests, and without the priv level sends every value, including configuration secrets, unencrypted.',
    example:
      'from pysnmp.hlapi import CommunityData, SnmpEngine, UdpTransportTarget, getCmd\n\n\ndef poll(host):\n    return getCmd(SnmpEngine(), CommunityData("public", mpModel=1), UdpTransportTarget((host, 161)))',
    useInstead:
      'from pysnmp.hlapi import SnmpEngine, UdpTransportTarget, UsmUserData, getCmd, usmAesCfb128Protocol, usmHMACSHAAuthProtocol\n\n\ndef poll(host, user, auth_key, priv_key):\n    creds = UsmUserData(user, auth_key, priv_key, authProtocol=usmHMACSHAAuthProtocol, privProtocol=usmAesCfb128Protocol)\n    return getCmd(SnmpEngine(), creds, UdpTransportTarget((host, 161)))',
    references: [
      'https://cwe.mitre.org/data/definitions/319.html',
      'https://www.rfc-editor.org/rfc/rfc3414',
      'https://pysnmp.readthedocs.io/en/latest/docs/api-reference.html#security-parameters',
    ],
  },
  triggers: ['CommunityData', 'UsmUserData'],
  onCall(site, ctx) {
    if (!site.qname || !PYSNMP.test(site.qname) && !site.qname.includes('pysnmp')) return;
    if (matchesAny(site.qname, COMMUNITY)) {
      ctx.report({
        node: site.node,
        message: 'CommunityData selects SNMP v1/v2c, whose community string crosses the network in clear text in every request: anyone who sees one packet can query (or reconfigure) the device. Use SNMPv3 with UsmUserData(user, authKey, privKey) and SHA/AES protocols.',
      });
      return;
    }
    if (!matchesAny(site.qname, USM) || site.hasSplat) return;
    const auth = site.keywords.get('authKey') ?? site.positional[1];
    const priv = site.keywords.get('privKey') ?? site.positional[2];
    const authProto = site.keywords.get('authProtocol');
    const privProto = site.keywords.get('privProtocol');
    const noAuth = !auth || auth.type === 'none' || (authProto && lastSegment(authProto.text) === 'usmNoAuthProtocol');
    const noPriv = !priv || priv.type === 'none' || (privProto && lastSegment(privProto.text) === 'usmNoPrivProtocol');
    if (!noAuth && !noPriv) return;
    ctx.report({
      node: site.node,
      message: noAuth
        ? 'This SNMPv3 user has neither authentication nor privacy (noAuthNoPriv): requests can be forged and every value is sent in clear text. Pass authKey and privKey with usmHMACSHAAuthProtocol/usmAesCfb128Protocol.'
        : 'This SNMPv3 user has no privacy key (authNoPriv): every value, including configuration secrets, crosses the network unencrypted. Pass privKey with privProtocol=usmAesCfb128Protocol.',
    });
  },
};

export default rule;
