import socketserver


class MetadataHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline(65537)
        self.wfile.write(line.upper())
