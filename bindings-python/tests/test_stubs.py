"""The committed stubs (_native.pyi) match the native module, and the
package's __all__ matches what it exports."""

import ast
import inspect
import os
from typing import Dict, List, Set

import snowid
from snowid import _native

STUB = os.path.join(os.path.dirname(snowid.__file__), "_native.pyi")


def stub_tree() -> ast.Module:
    with open(STUB) as f:
        return ast.parse(f.read())


def stub_names(tree: ast.Module) -> Set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names - {"_Instant", "_LayoutArg", "_Clock"}


def runtime_names() -> Set[str]:
    skip = {"__doc__", "__file__", "__loader__", "__name__", "__package__", "__spec__", "__all__", "__builtins__", "__cached__", "__path__"}
    return {n for n in dir(_native) if n not in skip}


def params(fn: ast.FunctionDef) -> List[str]:
    a = fn.args
    out = [p.arg for p in a.posonlyargs + a.args]
    if a.vararg:
        out.append("*" + a.vararg.arg)
    elif a.kwonlyargs:
        out.append("*")
    out += [p.arg for p in a.kwonlyargs]
    if a.kwarg:
        out.append("**" + a.kwarg.arg)
    return out


def runtime_params(obj: object) -> List[str]:
    out: List[str] = []
    star = False
    for p in inspect.signature(obj).parameters.values():  # type: ignore[arg-type]
        if p.kind is p.VAR_POSITIONAL:
            out.append("*" + p.name)
            star = True
        elif p.kind is p.KEYWORD_ONLY and not star:
            out.append("*")
            star = True
            out.append(p.name)
        elif p.kind is p.VAR_KEYWORD:
            out.append("**" + p.name)
        else:
            out.append(p.name)
    return out


def test_every_stub_name_exists_and_vice_versa() -> None:
    assert stub_names(stub_tree()) == runtime_names()


def test_function_signatures_match() -> None:
    for node in stub_tree().body:
        if isinstance(node, ast.FunctionDef):
            assert params(node) == runtime_params(getattr(_native, node.name)), node.name


def test_class_members_and_signatures_match() -> None:
    for node in stub_tree().body:
        if not isinstance(node, ast.ClassDef):
            continue
        cls = getattr(_native, node.name)
        stub_members: Dict[str, ast.FunctionDef] = {
            f.name: f for f in node.body if isinstance(f, ast.FunctionDef)
        }
        public = {n for n in dir(cls) if not n.startswith("_")}
        assert public == {n for n in stub_members if not n.startswith("_")}, node.name
        for name, fn in stub_members.items():
            if name == "__init__":
                if cls.__text_signature__ is not None or cls.__init__ is not object.__init__:
                    assert params(fn)[1:] == runtime_params(cls), node.name
                continue
            if name.startswith("__"):
                # pyo3 implements __getattr__ in the type slot (tp_getattro)
                assert hasattr(cls, name) or name == "__getattr__", (node.name, name)
                continue
            member = inspect.getattr_static(cls, name)
            decorators = {d.id for d in fn.decorator_list if isinstance(d, ast.Name)}
            if "property" in decorators:
                assert not callable(member) or hasattr(member, "__get__"), (node.name, name)
                assert not inspect.isroutine(member), (node.name, name)
                continue
            assert inspect.isroutine(member) or isinstance(member, staticmethod), (node.name, name)
            expected = params(fn) if "staticmethod" in decorators else params(fn)[1:]
            got = runtime_params(getattr(cls, name))
            if got and got[0] == "self":
                got = got[1:]
            assert expected == got, (node.name, name)


def test_docstrings_in_stub() -> None:
    for node in ast.walk(stub_tree()):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            assert ast.get_docstring(node) or node.name.startswith("__"), node.name


def test_package_all_matches_exports() -> None:
    exported = {n for n in vars(snowid) if not n.startswith("_")} - {"exceptions", "testing"}
    assert set(snowid.__all__) - {"__version__"} == exported
    for name in snowid.__all__:
        assert hasattr(snowid, name)
    assert snowid.next is _native.next, "snowid.next is the native function itself"
