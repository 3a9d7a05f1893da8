import ast
def parse_opts(raw):
    return ast.literal_eval(raw)
