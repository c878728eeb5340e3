# RubyLLM talks to OpenRouter; the key is only ever read from the environment.
RubyLLM.configure do |config|
  config.openrouter_api_key = ENV["OPENROUTER_API_KEY"]
  config.default_model = "anthropic/claude-sonnet-4.5"

  config.request_timeout = 60
  config.max_retries = 2
  config.logger = Rails.logger
end
