"""The value flow finds block and lambda parameters from each method's binders (their
tokens) exactly as a climb up the parents finds them."""

from __future__ import annotations

from pathlib import Path

from appkit import write_app

from rubygrade import treeutil
from rubygrade.analysis.values import Scope
from rubygrade.engine import analyse

NESTED = """class Outer
  LIST = ->(x, y = 1) { x + y }
  scope :recent, ->(n) { limit(n) }
  configure do |config, n|
    config.x(n)
    def setup(config)
      config
    end
    class Inner
      config
    end
    [n].each { |n| -> { n } }
  end

  def a(items, x)
    items.each do |item, (k, v)|
      item.touch
      x.call(k, v)
      ->(item) { item.size }.call(x)
      items.map { |x| x || item }
      text = <<~TEXT
        #{item} and #{x}
      TEXT
      y = x ||= item
      z = x |= 2
      Class.new do
        def inner(item)
          item + x
        end
      end
      {a: 1}.each_with_object([]) { |(key, value), acc; tmp| acc << key << value << tmp }
    end
  end

  def self.b(list) = list.each { |x| puts x }

  def c
    lambda do |q|
      -> z { z + q }
    end
  end
end
"""

TEMPLATE = """<% @items.each do |item| %>
  <%= item.name %> <%= other %>
  <% [1].map { |item| item } %>
<% end %>
"""


def test_binders_answer_as_the_climb(tmp_path: Path) -> None:
    run = analyse(write_app(tmp_path, {"app/models/outer.rb": NESTED,
                                       "app/views/items/index.html.erb": TEMPLATE}))
    values = run.context.analyses.values
    checked = found = 0
    for path in ("app/models/outer.rb", "app/views/items/index.html.erb"):
        root = run.project.files[path].root
        assert root is not None
        for node in treeutil.walk(root):
            if node.type != "identifier":
                continue
            method = run.index.method_at(path, treeutil.line_of(node))
            if method is not None and not (method.node.start_byte <= node.start_byte and
                                           node.end_byte <= method.node.end_byte):
                method = None
            name = treeutil.text(node)
            # its method's binders, and the whole file's (stops between them and it hide them)
            for region in (values._region(Scope(path, method, "Outer")),
                           values._region(Scope(path, None, "Outer"))):
                assert region is not None
                for binders in (values._block_params, values._lambda_params):
                    expected = binders._climb(node, name)
                    assert binders.find(node, name, region) == expected, (path, node, name)
                    checked += 1
                    found += expected is not None
    assert checked > 200 and found > 20, (checked, found)
