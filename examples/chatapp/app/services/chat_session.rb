# One browser conversation with the assistant.
#
# The history is a plain array of { "role", "content" } hashes kept in
# Rails.cache (Redis in production), so it survives restarts and is shared by
# every Puma worker. It expires after two hours of inactivity and is capped so
# the prompt never grows without bound.
class ChatSession
  MODEL = "anthropic/claude-sonnet-4.5"
  MAX_MESSAGES = 20

  SYSTEM_PROMPT = <<~PROMPT.squish
    You are a helpful, concise assistant in a ChatGPT-style web app.
    Answer in plain text with short paragraphs. If you are unsure, say so.
  PROMPT

  MISSING_KEY_REPLY = "The assistant is not configured yet: set OPENROUTER_API_KEY and restart the app."
  DEGRADED_REPLY = "The assistant is busy right now. Please try again in a moment."

  def initialize(id, cache: Rails.cache)
    @id = id
    @cache = cache
  end

  def messages
    @cache.read(cache_key) || []
  end

  # Sends +text+ to the model and returns the new [user, assistant] messages.
  def ask(text)
    user_message = { "role" => "user", "content" => text }
    return [ user_message, failure(MISSING_KEY_REPLY) ] unless api_key_present?

    history = messages
    response = build_chat(history).ask(text)
    assistant_message = { "role" => "assistant", "content" => response.content }

    save(history + [ user_message, assistant_message ])
    [ user_message, assistant_message ]
  rescue RubyLLM::RateLimitError, RubyLLM::ServerError => e
    Rails.logger.warn("[ChatSession] #{e.class}: #{e.message}")
    [ user_message, failure(DEGRADED_REPLY) ]
  end

  def clear
    @cache.delete(cache_key)
  end

  private

  def api_key_present?
    ENV["OPENROUTER_API_KEY"].present?
  end

  def build_chat(history)
    chat = RubyLLM.chat(model: MODEL, provider: :openrouter)
    chat.with_instructions(SYSTEM_PROMPT)

    history.each do |msg|
      chat.add_message(role: msg["role"].to_sym, content: msg["content"])
    end

    chat
  end

  def save(history)
    @cache.write(cache_key, history.last(MAX_MESSAGES), expires_in: 2.hours)
  end

  def failure(text)
    { "role" => "assistant", "content" => text, "error" => true }
  end

  def cache_key
    "chat_session/#{@id}/messages"
  end
end
