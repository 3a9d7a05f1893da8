import { matchesAny } from '../../server/src/engine/names';
import type { Rule } from '../../server/src/engine/rule';
import { sinkName } from '../support';
import { stringText } from '../crypto/context';

const TELNET = ['telnetlib.Telnet', 'telnetlib3.open_connection', 'Exscript.protocols.Telnet', 'exscript.protocols.Telnet'];
const NETMIKO = ['netmiko.ConnectHandler', 'netmiko.Netmiko', 'netmiko.BaseConnection'];

const rule: Rule = {
  code: 'SL406',
  name: 'telnet-connection',
  category: 'transport',
  summary: 'Telnet session: credentials and commands sent in clear text',
  severity: 'high',
  confidence: 'high',
  defaultLevel: 'warning',
  maxLevel: 'warning',
  cwe: [319],
  bandit: ['B312', 'B401'],
  ruff: ['S312', 'S401'],
  fix: 'none',
  explanation: {
    what:
      'A Telnet connection is opened: `telnetlib.Telnet(...)`, `telnetlib3.open_connection(...)`, Exscript\'s `Telnet()`, or netmiko with a `*_telnet` device type. A bare `import telnetlib` is not reported; the connection is.',
    why:
      'Telnet has no encryption and no server authentication. The login, the password and every command and reply cross the network in clear text, readable by anyone on the path (a shared management VLAN, a compromised switch), who can also hijack the session. `telnetlib` was removed from the standard library in Python 3.13.',
    example:
      'import telnetlib\n\n\ndef reload_switch(host, user, password):\n    tn = telnetlib.Telnet(host, 23, timeout=10)\n    tn.read_until(b"login: ")\n    tn.write(user.encode() + b"\\n")',
    useInstead:
      'import paramiko\n\n\ndef reload_switch(host, user, password):\n    client = paramiko.SSHClient()\n    client.load_system_host_keys()\n    client.connect(host, username=user, password=password, timeout=10)\n    client.exec_command("reload")',
    references: [
      'https://cwe.mitre.org/data/definitions/319.html',
      'https://peps.python.org/pep-0594/#telnetlib',
      'https://owasp.org/Top10/A02_2021-Cryptographic_Failures/',
    ],
  },
  // `telnetlib.Telnet`, `telnetlib3.open_connection`, Exscript's `Telnet`; netmiko only with `device_type="..._telnet"`.
  triggers: ['Telnet', 'telnetlib3', 'device_type'],
  onCall(site, ctx) {
    let telnet = matchesAny(site.qname, TELNET);
    if (!telnet && matchesAny(site.qname, NETMIKO)) {
      const type = site.keywords.get('device_type');
      telnet = type?.type === 'string' && stringText(type).endsWith('_telnet');
    }
    if (!telnet) return;
    ctx.report({
      node: site.node,
      message: `${sinkName(site)} opens a Telnet session: the login, password and every command cross the network unencrypted and unauthenticated. Use SSH (paramiko, netmiko with an SSH device type, asyncssh).`,
    });
  },
};

export default rule;
