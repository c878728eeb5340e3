# Suggests a short title for the conversation shown in the header.
class TitleSuggester
  TITLES = {}

  def initialize(chat_id)
    @chat_id = chat_id
  end

  def call(messages)
    return "New chat" if messages.empty?

    TITLES[@chat_id] ||= suggest(messages.first["content"])
  end

  private

  def suggest(first_prompt)
    response = RubyLLM.chat.ask("Reply with a title of at most five words for a chat that starts with: #{first_prompt}")
    response.text.strip.delete('"')
  end
end
