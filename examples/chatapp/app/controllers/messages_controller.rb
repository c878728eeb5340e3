class MessagesController < ApplicationController
  def create
    content = message_params[:content].to_s.strip

    if content.blank?
      redirect_to root_path, alert: "Type a message first."
      return
    end

    @messages = chat_session.ask(content)

    respond_to do |format|
      format.turbo_stream
      format.html { redirect_to root_path }
    end
  end

  private

  def message_params
    params.expect(message: [ :content ])
  end
end
