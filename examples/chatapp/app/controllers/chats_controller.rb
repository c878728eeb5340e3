class ChatsController < ApplicationController
  def show
    @messages = chat_session.messages
    @title = TitleSuggester.new(chat_id).call(@messages)
  end

  def destroy
    chat_session.clear
    session.delete(:chat_id)

    redirect_to root_path, status: :see_other
  end
end
