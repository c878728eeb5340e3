class ApplicationController < ActionController::Base
  # Only allow modern browsers supporting webp images, web push, badges, import maps, CSS nesting, and CSS :has.
  allow_browser versions: :modern

  # Changes to the importmap will invalidate the etag for HTML responses
  stale_when_importmap_changes

  private

  # Each browser session gets its own conversation, keyed by a random id kept
  # in the (signed, encrypted) session cookie. The messages themselves live in
  # Rails.cache, so the cookie stays tiny.
  def chat_id
    session[:chat_id] ||= SecureRandom.uuid
  end

  def chat_session
    @chat_session ||= ChatSession.new(chat_id)
  end
end
