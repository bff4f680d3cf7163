# hook.py PORTFILE LOG - a webhook receiver on 127.0.0.1 (any free port,
# written to PORTFILE): appends each POST body as a line to LOG, answers 200.
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        with open(sys.argv[2], 'ab') as f:
            f.write(body + b'\n')
        self.send_response(200)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(('127.0.0.1', 0), H)
with open(sys.argv[1], 'w') as f:
    f.write(str(s.server_address[1]))
s.serve_forever()
