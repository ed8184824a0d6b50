// Command org-leave is the Lambda function of the portal route "org-leave".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-leave") }
