"""Methods every Ruby object (or class) has, so catalogues need not repeat them.

A call like ``chat.respond_to?(:ask)`` or ``chat.map(&:role)`` is valid because
of Object/Kernel or because Chat includes Enumerable, not because ruby_llm
defines it. The checker asks :func:`builtin_method` after the gem's own
ancestors come up empty. Lists follow Ruby 3.1-3.4 public methods; names that
ActiveSupport adds to Object are included because the graded repos are Rails
apps. Builtins have unknown arity, so they get a catch-all ``(*, **, &)``
signature and argument binding never reports a problem against them.
"""

from __future__ import annotations

from functools import cache

from rubygrade.catalogue.model import MethodSig, Param

OBJECT_INSTANCE = frozenset(
    """
    ! != !~ <=> == === =~ __id__ __send__ class clone define_singleton_method display dup
    enum_for eql? equal? extend freeze frozen? hash inspect instance_eval instance_exec
    instance_of? instance_variable_defined? instance_variable_get instance_variable_set
    instance_variables is_a? itself kind_of? method methods nil? object_id private_methods
    protected_methods public_method public_methods public_send remove_instance_variable
    respond_to? send singleton_class singleton_method singleton_methods tap then to_enum to_s
    yield_self
    """.split()
)

#: Object methods added by ActiveSupport / JSON in a Rails app.
ACTIVESUPPORT_OBJECT = frozenset(
    """
    acts_like? as_json blank? deep_dup duplicable? html_safe? in? instance_values
    instance_variable_names presence presence_in present? to_json to_param to_query try try!
    with
    """.split()
)

ENUMERABLE = frozenset(
    """
    all? any? chain chunk chunk_while collect collect_concat compact count cycle detect drop
    drop_while each_cons each_entry each_slice each_with_index each_with_object entries filter
    filter_map find find_all find_index first flat_map grep grep_v group_by include? inject
    lazy map max max_by member? min min_by minmax minmax_by none? one? partition reduce reject
    reverse_each select slice_after slice_before slice_when sort sort_by sum take take_while
    tally to_a to_h to_set uniq zip
    """.split()
)

#: ActiveSupport's Enumerable extensions (Rails apps).
ACTIVESUPPORT_ENUMERABLE = frozenset(
    """
    as_json compact_blank exclude? excluding in_order_of index_by index_with including
    many? maximum minimum pick pluck sole without
    """.split()
)

COMPARABLE = frozenset("< <= == > >= between? clamp".split())

FORWARDABLE = frozenset(
    """
    def_delegator def_delegators def_instance_delegator def_instance_delegators delegate
    instance_delegate
    """.split()
)

MODULE_SINGLETON = frozenset(
    """
    < <= <=> == === > >= alias_method ancestors attr attr_accessor attr_reader attr_writer
    autoload autoload? class_eval class_exec class_variable_defined? class_variable_get
    class_variable_set class_variables const_defined? const_get const_missing const_set
    const_source_location constants define_method freeze include include? included_modules
    inspect instance_method instance_methods method_defined? module_eval module_exec name
    prepend private_class_method private_constant private_instance_methods
    private_method_defined? protected_instance_methods protected_method_defined?
    public_class_method public_instance_method public_instance_methods public_method_defined?
    remove_class_variable remove_method singleton_class? to_s undef_method
    undefined_instance_methods
    delegate module_parent module_parent_name mattr_accessor mattr_reader mattr_writer
    """.split()
)

CLASS_SINGLETON = frozenset(
    """
    allocate new superclass subclasses attached_object
    class_attribute cattr_accessor cattr_reader cattr_writer descendants
    """.split()
)

EXCEPTION_INSTANCE = frozenset(
    """
    backtrace backtrace_locations cause detailed_message exception full_message message
    set_backtrace
    """.split()
)
EXCEPTION_SINGLETON = frozenset("exception to_tty?".split())

STRUCT_INSTANCE = frozenset(
    """
    [] []= deconstruct deconstruct_keys dig each each_pair filter length members select size
    to_a to_h values values_at
    """.split()
)
STRUCT_SINGLETON = frozenset("members keyword_init?".split())

#: External ancestors whose methods we know, by the name the gem writes.
_EXCEPTIONS = frozenset(
    """
    Exception StandardError RuntimeError ArgumentError TypeError NameError NoMethodError
    KeyError IndexError IOError NotImplementedError ScriptError SecurityError StopIteration
    """.split()
)


@cache
def _generic(name: str, owner: str) -> MethodSig:
    return MethodSig(
        name=name,
        params=[Param(kind="rest", name="*"), Param(kind="keyrest", name="**"),
                Param(kind="block", name="&")],
        takes_block=True,
        defined_in=f"<builtin {owner}>",
    )


def builtin_method(
    name: str, ancestors: list[str] | tuple[str, ...], *, singleton: bool, is_class: bool
) -> MethodSig | None:
    """A builtin method ``name`` reachable from ``ancestors`` (external names included).

    ``ancestors`` is the instance-side ancestor list for instance lookup and the
    list of extended modules for singleton lookup.
    """
    names = set(ancestors)
    if singleton:
        if "Forwardable" in names and name in FORWARDABLE:
            return _generic(name, "Forwardable")
        if name in MODULE_SINGLETON:
            return _generic(name, "Module")
        if is_class and name in CLASS_SINGLETON:
            return _generic(name, "Class")
        if names & _EXCEPTIONS and name in EXCEPTION_SINGLETON:
            return _generic(name, "Exception")
        if "Struct" in names and name in STRUCT_SINGLETON:
            return _generic(name, "Struct")
    else:
        if "Enumerable" in names or "Struct" in names:
            if name in ENUMERABLE:
                return _generic(name, "Enumerable")
            if name in ACTIVESUPPORT_ENUMERABLE:
                return _generic(name, "Enumerable (ActiveSupport)")
        if "Comparable" in names and name in COMPARABLE:
            return _generic(name, "Comparable")
        if names & _EXCEPTIONS and name in EXCEPTION_INSTANCE:
            return _generic(name, "Exception")
        if "Struct" in names and name in STRUCT_INSTANCE:
            return _generic(name, "Struct")
    if name in OBJECT_INSTANCE:
        return _generic(name, "Object")
    if name in ACTIVESUPPORT_OBJECT:
        return _generic(name, "Object (ActiveSupport)")
    return None


_ALL_BUILTIN_NAMES = frozenset().union(
    OBJECT_INSTANCE, ACTIVESUPPORT_OBJECT, ENUMERABLE, ACTIVESUPPORT_ENUMERABLE, COMPARABLE,
    FORWARDABLE, MODULE_SINGLETON, CLASS_SINGLETON, EXCEPTION_INSTANCE, EXCEPTION_SINGLETON,
    STRUCT_INSTANCE, STRUCT_SINGLETON)


def is_builtin_name(name: str) -> bool:
    """Whether some Ruby core or ActiveSupport object answers ``name`` (any receiver kind)."""
    return name in _ALL_BUILTIN_NAMES
