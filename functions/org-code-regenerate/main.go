// Command org-code-regenerate is the Lambda function of the portal route "org-code-regenerate".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-code-regenerate") }
