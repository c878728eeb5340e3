require "test_helper"

class MessagesControllerTest < ActionDispatch::IntegrationTest
  test "appends the user message and the assistant reply as turbo streams" do
    fake_chat = FakeChat.new(reply: "Paris is the capital of France.")

    with_api_key do
      RubyLLM.stub(:chat, fake_chat) do
        post messages_path, params: { message: { content: "Capital of France?" } }, as: :turbo_stream
      end
    end

    assert_response :success
    assert_equal "text/vnd.turbo-stream.html", response.media_type
    assert_includes response.body, %(<turbo-stream action="append" target="messages">)
    assert_includes response.body, "Capital of France?"
    assert_includes response.body, "Paris is the capital of France."
    assert_equal [ "Capital of France?" ], fake_chat.questions
    assert_equal ChatSession::SYSTEM_PROMPT, fake_chat.instructions
  end

  test "shows a degraded reply when OpenRouter rate limits us" do
    fake_chat = FakeChat.new(error: RubyLLM::RateLimitError.new(nil, "Rate limit exceeded"))

    with_api_key do
      RubyLLM.stub(:chat, fake_chat) do
        post messages_path, params: { message: { content: "Hello?" } }, as: :turbo_stream
      end
    end

    assert_response :success
    assert_includes response.body, ChatSession::DEGRADED_REPLY
  end

  test "explains how to configure the app when the API key is missing" do
    with_api_key(nil) do
      post messages_path, params: { message: { content: "Hello?" } }, as: :turbo_stream
    end

    assert_response :success
    assert_includes response.body, "OPENROUTER_API_KEY"
  end

  test "html requests are redirected back to the chat" do
    with_api_key do
      RubyLLM.stub(:chat, FakeChat.new) do
        post messages_path, params: { message: { content: "Hi" } }
      end
    end

    assert_redirected_to root_path
  end

  test "blank messages are not sent to the model" do
    post messages_path, params: { message: { content: "   " } }

    assert_redirected_to root_path
  end
end
