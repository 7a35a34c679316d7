/**
 * Python source run once per interpreter after the prelude and before any
 * user code: removes Pyodide's routes back to JavaScript (`js`, `pyodide_js`,
 * `pyodide.ffi`, `_pyodide_core` and every module holding a JsProxy), makes
 * process spawning, ctypes and sockets fail with a clear error, and gives
 * asyncio a loop that needs no JavaScript.
 *
 * Python cannot sandbox Python: a determined caller can rebuild some of this
 * (e.g. `_imp.create_builtin`). That is why the worker's JS realm is locked
 * down too (realm-lockdown.ts) and the process runs under Node's permission
 * model without network. This layer turns the obvious attempts into clear
 * errors and leaves no JsProxy lying around to be found.
 */
export const PYTHON_LOCKDOWN = String.raw`
def _lock_down():
    import sys, os, posix, builtins, asyncio, importlib.abc

    blocked_roots = {
        'js': 'JavaScript access', 'pyodide_js': 'JavaScript access', 'pyodide': 'JavaScript access',
        '_pyodide': 'JavaScript access', '_pyodide_core': 'JavaScript access',
        'ctypes': 'ctypes', '_ctypes': 'ctypes', 'subprocess': 'starting processes', '_posixsubprocess': 'starting processes',
        'multiprocessing': 'starting processes', '_multiprocessing': 'starting processes',
        'socket': 'network access', '_socket': 'network access', 'ssl': 'network access', '_ssl': 'network access',
        'micropip': 'installing packages', 'pyodide_http': 'network access',
    }

    def reason(name):
        return blocked_roots.get(name.split('.')[0])

    class _BlockedImports(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            why = reason(name)
            if why:
                raise ImportError('import of %s is blocked in the LoopEdge Python sandbox (no %s)' % (name, why), name=name)
            return None

    def blocked(what):
        def fail(*args, **kwargs):
            raise PermissionError('%s is blocked in the LoopEdge Python sandbox' % what)
        fail.__name__ = what.rsplit('.', 1)[-1]
        return fail

    # 1. No JsProxy modules: unregister them and drop Pyodide's own finders.
    hook = sys.modules.get('_pyodide._importhook')
    if hook is not None:
        for name in ('js', 'pyodide_js'):
            try:
                hook.jsfinder.unregister_js_module(name)
            except Exception:
                pass
    sys.meta_path[:] = [f for f in sys.meta_path if not type(f).__module__.startswith('_pyodide')
                        and not getattr(f, '__module__', '').startswith('_pyodide')]

    # 2. asyncio: Pyodide's WebLoop runs on JavaScript timers; use the sync loop instead,
    #    and undo its patches of asyncio.run and time.sleep (they call into JavaScript).
    import time
    webloop = sys.modules.get('pyodide.webloop')
    if webloop is not None:
        time.sleep = getattr(webloop, '_orig_sleep', time.sleep)
        asyncio.run = getattr(webloop, '_orig_run', asyncio.run)
    class _Policy(asyncio.events._BaseDefaultEventLoopPolicy):
        _loop_factory = _SyncLoop
    asyncio.events._set_running_loop(None)
    asyncio.events._event_loop_policy = _Policy()

    # 3. Processes: every spawning function fails loudly.
    for module in (os, posix):
        for name in ('system', 'popen', 'fork', 'forkpty', 'execv', 'execve', 'execl', 'execle', 'execlp', 'execlpe',
                     'execvp', 'execvpe', 'spawnv', 'spawnve', 'spawnl', 'spawnle', 'spawnlp', 'spawnlpe', 'spawnvp',
                     'spawnvpe', 'posix_spawn', 'posix_spawnp', 'kill', 'killpg', '_exit', 'abort', 'fexecve'):
            if hasattr(module, name):
                setattr(module, name, blocked('os.' + name))
    for module_name, names in (('subprocess', ('Popen', 'run', 'call', 'check_call', 'check_output', 'getoutput', 'getstatusoutput')),
                               ('socket', ('socket', 'SocketType', 'create_connection', 'create_server', 'socketpair', 'fromfd',
                                           'getaddrinfo', 'gethostbyname', 'gethostbyname_ex', 'gethostbyaddr')),
                               ('_socket', ('socket', 'SocketType', 'socketpair', 'getaddrinfo', 'gethostbyname', 'gethostbyaddr'))):
        module = sys.modules.get(module_name)
        if module is not None:
            for name in names:
                if hasattr(module, name):
                    setattr(module, name, blocked('%s.%s' % (module_name, name)))

    # 4. Forget every blocked module; empty the Python ones so no JsProxy stays reachable through them.
    for name in list(sys.modules):
        if reason(name):
            module = sys.modules.pop(name)
            if name.split('.')[0] in ('pyodide', '_pyodide', '_pyodide_core') and type(module).__name__ == 'module':
                if name not in ('_pyodide._base', '_pyodide.docstring', '_pyodide._core_docs'):
                    module.__dict__.clear()
    sys.meta_path.insert(0, _BlockedImports())

    # 5. Builtin modules bypass finders (_imp.create_builtin): refuse the blocked ones there too.
    import _imp
    create_builtin = _imp.create_builtin

    def guarded_create_builtin(spec):
        why = reason(spec.name)
        if why:
            raise ImportError('import of %s is blocked in the LoopEdge Python sandbox (no %s)' % (spec.name, why), name=spec.name)
        return create_builtin(spec)
    _imp.create_builtin = guarded_create_builtin

    # 6. No walking the heap for leftovers of Pyodide's start-up (gc.get_objects finds everything).
    import gc
    for name in ('get_objects', 'get_referrers', 'get_referents'):
        setattr(gc, name, blocked('gc.' + name))

    # 7. Only a neutral environment (Emscripten adds its own defaults, e.g. the worker's path).
    for key in list(os.environ):
        if key not in ('HOME', 'LANG', 'PATH'):
            del os.environ[key]


_lock_down()
del _lock_down
`;
