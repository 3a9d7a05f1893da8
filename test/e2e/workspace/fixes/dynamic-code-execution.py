def parse_opts(raw):
    return eval(raw)
