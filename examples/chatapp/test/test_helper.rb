ENV["RAILS_ENV"] ||= "test"
require_relative "../config/environment"
require "rails/test_help"
require "minitest/mock"

# Stands in for RubyLLM::Chat. It answers to the same methods ChatSession
# calls on the real object (with_instructions, add_message, ask), records what
# it was given, and returns a real RubyLLM::Message so `.content` behaves as
# it does in production.
class FakeChat
  attr_reader :instructions, :added_messages, :questions

  def initialize(reply: "Hello from the fake model", error: nil)
    @reply = reply
    @error = error
    @added_messages = []
    @questions = []
  end

  def with_instructions(instructions, append: false, replace: nil)
    @instructions = instructions
    self
  end

  def add_message(attributes)
    @added_messages << attributes
    RubyLLM::Message.new(attributes)
  end

  def ask(message = nil, with: nil)
    @questions << message
    raise @error if @error

    RubyLLM::Message.new(role: :assistant, content: @reply)
  end
end

module ActiveSupport
  class TestCase
    # Run tests in parallel with specified workers
    parallelize(workers: :number_of_processors)

    def with_api_key(value = "test-openrouter-key")
      previous = ENV["OPENROUTER_API_KEY"]
      ENV["OPENROUTER_API_KEY"] = value
      yield
    ensure
      ENV["OPENROUTER_API_KEY"] = previous
    end
  end
end
