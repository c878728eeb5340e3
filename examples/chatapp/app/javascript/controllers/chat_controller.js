import { Controller } from "@hotwired/stimulus"

// Keeps the conversation scrolled to the newest message, including the ones
// Turbo Streams append after each reply.
export default class extends Controller {
  static targets = ["messages"]

  connect() {
    this.scroll()
    this.observer = new MutationObserver(() => this.scroll())
    this.observer.observe(this.messagesTarget, { childList: true, subtree: true })
  }

  disconnect() {
    this.observer?.disconnect()
  }

  scroll() {
    this.messagesTarget.scrollTop = this.messagesTarget.scrollHeight
  }
}
