// Command org-rename is the Lambda function of the portal route "org-rename".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-rename") }
