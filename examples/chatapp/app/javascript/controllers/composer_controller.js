import { Controller } from "@hotwired/stimulus"

// Enter sends, Shift+Enter adds a new line, and the box is cleared once the
// message has been accepted by the server.
export default class extends Controller {
  static targets = ["input"]

  submitOnEnter(event) {
    if (event.shiftKey || event.isComposing) return

    event.preventDefault()
    if (this.inputTarget.value.trim() === "") return

    this.element.requestSubmit()
  }

  reset(event) {
    if (!event.detail.success) return

    this.inputTarget.value = ""
    this.inputTarget.focus()
  }
}
