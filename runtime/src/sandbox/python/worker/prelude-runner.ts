/**
 * Python source, part 3 of 3: compiling the node's code (On Start, the
 * function, On Stop) with the user's own line numbers, running queued
 * messages, async code on a loop that needs no JavaScript, and error details.
 */
export const PYTHON_RUNNER = String.raw`
class _SyncSelector:
    """Lets asyncio run inside one Python call: waiting is a plain sleep, no JavaScript event loop."""

    def select(self, timeout):
        if timeout is None:
            raise RuntimeError('the code awaits something that can never complete (nothing is scheduled)')
        if timeout > 0:
            _time.sleep(timeout)
        return []

    def close(self):
        pass


class _SyncLoop(_asyncio.BaseEventLoop):
    def __init__(self):
        super().__init__()
        self._selector = _SyncSelector()

    def _process_events(self, event_list):
        pass


def _run_coroutine(coro):
    loop = _loop
    try:
        return loop.run_until_complete(coro)
    finally:
        # Background tasks never outlive the message that started them.
        pending = [t for t in _asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        if pending:
            try:
                loop.run_until_complete(_asyncio.gather(*pending, return_exceptions=True))
            except BaseException:
                pass


class _UserCodeError(Exception):
    pass


def _compile_part(source, part, filename, params, share_names=False):
    """Compile a body as a function so 'return' and 'await' work; line numbers stay the user's.
    With share_names (On Start), the names it assigns are globals the function then sees."""
    try:
        tree = compile(source, filename, 'exec', _ast.PyCF_ONLY_AST | _ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    except SyntaxError as error:
        raise _compile_error(error, part) from None
    is_async = any(isinstance(n, (_ast.Await, _ast.AsyncFor, _ast.AsyncWith)) for n in _walk_same_function(tree))
    maker = _ast.AsyncFunctionDef if is_async else _ast.FunctionDef
    body = tree.body or [_ast.Pass()]
    if share_names:
        names = sorted(_assigned_names(tree) - set(params))
        if names:
            body = [_ast.Global(names=names, lineno=1, col_offset=0)] + body
    fn = maker(name='__loopedge_' + part, args=_ast.arguments(posonlyargs=[], args=[_ast.arg(arg=p) for p in params],
               kwonlyargs=[], kw_defaults=[], defaults=[]), body=body, decorator_list=[], returns=None, type_params=[])
    fn.lineno = 1
    fn.col_offset = 0
    module = _ast.Module(body=[fn], type_ignores=[])
    _ast.fix_missing_locations(module)
    try:
        code = compile(module, filename, 'exec')
    except SyntaxError as error:
        raise _compile_error(error, part) from None
    # One namespace for every part: names set in On Start are globals of the function.
    exec(code, _user_globals)
    return _user_globals.pop('__loopedge_' + part), is_async


def _assigned_names(tree):
    names = set()
    for node in _walk_same_function(tree):
        if isinstance(node, _ast.Name) and isinstance(node.ctx, _ast.Store):
            names.add(node.id)
        elif isinstance(node, (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (_ast.Import, _ast.ImportFrom)):
            names.update((a.asname or a.name).split('.')[0] for a in node.names if a.name != '*')
    return names


def _walk_same_function(tree):
    """Nodes of the body, not descending into nested functions, lambdas or classes."""
    scopes = (_ast.FunctionDef, _ast.AsyncFunctionDef, _ast.Lambda, _ast.ClassDef,
              _ast.ListComp, _ast.SetComp, _ast.DictComp, _ast.GeneratorExp)
    stack = list(_ast.iter_child_nodes(tree))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, scopes):
            stack.extend(_ast.iter_child_nodes(node))


def _compile_error(error, part):
    e = _UserCodeError('%s: %s' % (type(error).__name__, error.msg))
    e.detail = {'message': '%s: %s' % (type(error).__name__, error.msg), 'part': part, 'line': error.lineno,
                'column': error.offset}
    return e


def _error_detail(error, filename, timed_out=False):
    frames = [f for f in _traceback.extract_tb(error.__traceback__) if f.filename == filename]
    message = '%s: %s' % (type(error).__name__, error) if str(error) else type(error).__name__
    # The class travels as the name (catch nodes show "Name: message", as for JavaScript errors).
    detail = {'message': str(error) or type(error).__name__, 'name': type(error).__name__}
    if frames:
        last = frames[-1]
        detail['line'] = last.lineno
        if getattr(last, 'colno', None) is not None:
            detail['column'] = last.colno + 1
        lines = ['Traceback (most recent call last):']
        for f in frames:
            lines.append('  line %d, in %s' % (f.lineno, 'function' if f.name.startswith('__loopedge_') else f.name))
            if f.line:
                lines.append('    ' + f.line)
        lines.append(message)
        detail['stack'] = '\n'.join(lines)
    if timed_out:
        detail['timedOut'] = True
    return detail


def _call_user(fn, is_async, args):
    result = fn(*args)
    if is_async:
        result = _run_coroutine(result)
    return result


def _finish_activation(act):
    if act.dropped_logs:
        _emit({'op': 'log', 'level': 'warn', 'text': '%d more log lines from this message were dropped (limit %d)'
               % (act.dropped_logs, _LIMITS['max_logs'])})


def _run_part(kind, fn, is_async, args, seq):
    """On Start / On Stop: a failure is reported, never raised into the loop."""
    global _current
    act = _Activation(seq)
    _current = act
    try:
        _call_user(fn, is_async, args)
        _emit({'op': kind + '-done'})
    except BaseException as error:
        _emit({'op': kind + '-failed', 'error': _error_detail(error, _filename, isinstance(error, KeyboardInterrupt))})
    finally:
        _finish_activation(act)


def _run_messages():
    """Run every message the worker has queued; called by the worker once per batch."""
    global _current
    while True:
        parts = _read_frame()
        if parts is None:
            return
        control = _json.loads(parts[0])
        seq = control['seq']
        act = _Activation(seq)
        _current = act
        msg = None
        try:
            msg = _decode_value(parts[1], parts[2:])
            result = _call_user(_func, _func_async, (msg, _node, _context, _flow, _global, _env))
            outputs = _outputs_of(result, 'the returned value')
            if outputs is None:
                _emit({'op': 'result', 'seq': seq})
            else:
                _emit({'op': 'result', 'seq': seq}, outputs)
        except BaseException as error:
            detail = _error_detail(error, _filename, isinstance(error, KeyboardInterrupt))
            if isinstance(error, (SystemExit, GeneratorExit)):
                detail['message'] = 'sys.exit() cannot end a python-function node'
            # Catch nodes see the message as the code left it, as in Node-RED.
            try:
                _emit({'op': 'result', 'seq': seq, 'error': detail}, msg)
            except BaseException:
                _emit({'op': 'result', 'seq': seq, 'error': detail})
        finally:
            _finish_activation(act)


def _setup(config):
    """Compile the node's code; run On Start. Takes JSON text; returns None, or the compile error as JSON text."""
    global _func, _func_async, _finalize, _finalize_async, _filename, _node, _context, _flow, _global, _env, _loop
    config = _json.loads(config)
    _LIMITS.update(config['limits'])
    _filename = '<python-function %s>' % config['nodeId']
    _node = _Node(config['nodeId'], config['name'], config['outputs'])
    _flow = _Scope('flow')
    _global = _Scope('global')
    _context = _Context(_flow, _global)
    _env = _Env()
    _user_globals.update({'node': _node, 'context': _context, 'flow': _flow, 'global_': _global, 'env': _env})
    _loop = _SyncLoop()
    _asyncio.set_event_loop(_loop)
    params = ('msg', 'node', 'context', 'flow', 'global_', 'env')
    try:
        _func, _func_async = _compile_part(config['func'], 'func', _filename, params)
        init, init_async = _compile_part(config['initialize'], 'initialize', _filename, params[1:], share_names=True)
        _finalize, _finalize_async = _compile_part(config['finalize'], 'finalize', _filename, params[1:])
    except _UserCodeError as error:
        return _json.dumps(error.detail)
    _run_part('initialize', init, init_async, (_node, _context, _flow, _global, _env), -1)
    return None


def _close():
    _run_part('finalize', _finalize, _finalize_async, (_node, _context, _flow, _global, _env), -2)


_user_globals = {'__builtins__': _builtins, '__name__': 'python_function'}
`;
