require "test_helper"

class ChatSessionTest < ActiveSupport::TestCase
  setup do
    @cache = ActiveSupport::Cache::MemoryStore.new
    @session = ChatSession.new("test-chat", cache: @cache)
  end

  test "stores both sides of the exchange in the cache" do
    with_api_key do
      RubyLLM.stub(:chat, FakeChat.new(reply: "Hi there")) do
        @session.ask("Hello")
      end
    end

    assert_equal [
      { "role" => "user", "content" => "Hello" },
      { "role" => "assistant", "content" => "Hi there" }
    ], @session.messages
  end

  test "replays earlier turns so the model sees the whole conversation" do
    second_chat = FakeChat.new(reply: "Your name is Ada.")

    with_api_key do
      RubyLLM.stub(:chat, FakeChat.new(reply: "Nice to meet you, Ada.")) { @session.ask("I am Ada") }
      RubyLLM.stub(:chat, second_chat) { @session.ask("What is my name?") }
    end

    assert_equal [
      { role: :user, content: "I am Ada" },
      { role: :assistant, content: "Nice to meet you, Ada." }
    ], second_chat.added_messages
    assert_equal [ "What is my name?" ], second_chat.questions
  end

  test "caps the stored history" do
    with_api_key do
      RubyLLM.stub(:chat, FakeChat.new) do
        15.times { |i| @session.ask("message #{i}") }
      end
    end

    assert_equal ChatSession::MAX_MESSAGES, @session.messages.size
    assert_equal "message 5", @session.messages.first["content"]
  end

  test "server errors return a degraded reply and keep the history unchanged" do
    failing_chat = FakeChat.new(error: RubyLLM::ServerError.new(nil, "upstream 502"))

    reply = with_api_key do
      RubyLLM.stub(:chat, failing_chat) { @session.ask("Hello") }
    end

    assert_equal ChatSession::DEGRADED_REPLY, reply.last["content"]
    assert reply.last["error"]
    assert_empty @session.messages
  end

  test "a missing API key never reaches RubyLLM" do
    reply = with_api_key(nil) do
      RubyLLM.stub(:chat, ->(*) { flunk "RubyLLM.chat should not be called" }) { @session.ask("Hello") }
    end

    assert_equal ChatSession::MISSING_KEY_REPLY, reply.last["content"]
  end

  test "clear forgets the conversation" do
    @cache.write("chat_session/test-chat/messages", [ { "role" => "user", "content" => "x" } ])

    @session.clear

    assert_empty @session.messages
  end
end
