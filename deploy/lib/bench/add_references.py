"""Adds deploy/bench's two reference locations to a rendered nginx.conf, next to the API location
and with the same limits, so nginx does the same work for the references as for the service.

Usage: add_references.py NGINX_CONF HELLO_SOCKET
"""
import re
import sys

path, hello_socket = sys.argv[1], sys.argv[2]
text = open(path).read()
api = re.search(r"\n(\s*)location /api/plugins/ \{\n(.*?)\n\1\}", text, re.S)
if not api:
    sys.exit("add_references: no 'location /api/plugins/' block in " + path)
indent = api.group(1)
limits = "\n".join(line for line in api.group(2).splitlines() if re.match(r"\s*limit_(req|conn) ", line))
references = f"""
{indent}location = /bench/nginx {{
{limits}
{indent}    default_type application/json;
{indent}    return 200 '{{"status":"ok"}}\\n';
{indent}}}
{indent}location = /bench/fcgi-hello {{
{limits}
{indent}    fastcgi_pass unix:{hello_socket};
{indent}}}"""
text = text[: api.start()] + references + text[api.start():]
open(path, "w").write(text)
